"""When an action's server says no to what the visitor typed (404: "no order 9999"; 400/422:
not a valid number), the visitor hears it in their language and may correct it. The same
refusal a second time in the conversation hands off: the AI's tools cannot settle it."""

from __future__ import annotations

import re
from functools import cache

from ..models import Role
from .actions import NOT_FOUND, ActionRefused
from .analysis import INSUFFICIENT_TOOLS
from .brain import BrainContext, BrainReply
from .triage import analyze_latest, handoff
from .wording import say

COULD_NOT_FIND = {
    "en": "I couldn't find {thing}",
    "de": "Ich konnte {thing} nicht finden",
    "fr": "Je n'ai pas trouvé {thing}",
    "es": "No encontré {thing}",
    "it": "Non ho trovato {thing}",
    "pt": "Não encontrei {thing}",
    "nl": "Ik kon {thing} niet vinden",
    "pl": "Nie udało mi się znaleźć {thing}",
    "sv": "Jag hittade inte {thing}",
    "tr": "{thing} bulunamadı",
    "da": "Jeg kunne ikke finde {thing}",
    "fi": "En löytänyt kohdetta {thing}",
    "ja": "{thing} が見つかりませんでした",
    "zh": "我没有找到 {thing}",
    "ko": "{thing}을(를) 찾을 수 없었습니다",
    "ru": "Я не нашёл {thing}",
    "ar": "لم أتمكن من العثور على {thing}",
    "hi": "मुझे {thing} नहीं मिला",
    "uk": "Я не знайшов {thing}",
    "cs": "Nepodařilo se mi najít {thing}",
    "ro": "Nu am găsit {thing}",
    "el": "Δεν βρήκα το {thing}",
    "he": "לא מצאתי את {thing}",
    "vi": "Tôi không tìm thấy {thing}",
    "id": "Saya tidak menemukan {thing}",
    "th": "ไม่พบ {thing}",
    "hu": "Nem találtam ezt: {thing}",
    "no": "Jeg fant ikke {thing}",
    "sk": "Nepodarilo sa mi nájsť {thing}",
    "bg": "Не успях да намеря {thing}",
}
LOOKS_WRONG = {
    "en": "{thing} doesn't look right",
    "de": "{thing} scheint nicht zu stimmen",
    "fr": "{thing} ne semble pas correct",
    "es": "{thing} no parece correcto",
    "it": "{thing} non sembra corretto",
    "pt": "{thing} não parece correto",
    "nl": "{thing} lijkt niet te kloppen",
    "pl": "{thing} wygląda na niepoprawne",
    "sv": "{thing} ser inte rätt ut",
    "tr": "{thing} doğru görünmüyor",
    "da": "{thing} ser ikke rigtigt ud",
    "fi": "{thing} ei näytä oikealta",
    "ja": "{thing} は正しくないようです",
    "zh": "{thing} 似乎不正确",
    "ko": "{thing}이(가) 올바르지 않은 것 같습니다",
    "ru": "{thing} выглядит неверно",
    "ar": "يبدو أن {thing} غير صحيح",
    "hi": "{thing} सही नहीं लग रहा",
    "uk": "{thing} виглядає неправильно",
    "cs": "{thing} nevypadá správně",
    "ro": "{thing} nu pare corect",
    "el": "Το {thing} δεν φαίνεται σωστό",
    "he": "{thing} לא נראה תקין",
    "vi": "{thing} có vẻ không đúng",
    "id": "{thing} sepertinya tidak benar",
    "th": "{thing} ดูเหมือนจะไม่ถูกต้อง",
    "hu": "{thing} nem tűnik helyesnek",
    "no": "{thing} ser ikke riktig ut",
    "sk": "{thing} nevyzerá správne",
    "bg": "{thing} не изглежда правилно",
}
CHECK_NUMBER = {
    "en": "could you check the number?",
    "de": "können Sie die Nummer prüfen?",
    "fr": "pourriez-vous vérifier le numéro ?",
    "es": "¿podrías revisar el número?",
    "it": "puoi controllare il numero?",
    "pt": "pode verificar o número?",
    "nl": "kun je het nummer controleren?",
    "pl": "czy możesz sprawdzić numer?",
    "sv": "kan du kontrollera numret?",
    "tr": "numarayı kontrol edebilir misiniz?",
    "da": "kan du tjekke nummeret?",
    "fi": "voisitko tarkistaa numeron?",
    "ja": "番号をご確認いただけますか？",
    "zh": "能否核对一下号码？",
    "ko": "번호를 확인해 주시겠어요?",
    "ru": "не могли бы вы проверить номер?",
    "ar": "هل يمكنك التحقق من الرقم؟",
    "hi": "क्या आप नंबर जाँच सकते हैं?",
    "uk": "чи не могли б ви перевірити номер?",
    "cs": "můžete zkontrolovat číslo?",
    "ro": "puteți verifica numărul?",
    "el": "μπορείτε να ελέγξετε τον αριθμό;",
    "he": "תוכל לבדוק את המספר?",
    "vi": "bạn có thể kiểm tra lại số không?",
    "id": "bisakah Anda memeriksa nomornya?",
    "th": "ช่วยตรวจสอบหมายเลขอีกครั้งได้ไหม",
    "hu": "ellenőrizné a számot?",
    "no": "kan du sjekke nummeret?",
    "sk": "môžete skontrolovať číslo?",
    "bg": "бихте ли проверили номера?",
}
CHECK_IT = {
    "en": "could you check it and send it again?",
    "de": "können Sie es prüfen und noch einmal senden?",
    "fr": "pourriez-vous vérifier et le renvoyer ?",
    "es": "¿podrías revisarlo y enviarlo de nuevo?",
    "it": "puoi controllarlo e inviarlo di nuovo?",
    "pt": "pode verificar e enviar de novo?",
    "nl": "kun je het controleren en opnieuw sturen?",
    "pl": "czy możesz to sprawdzić i wysłać ponownie?",
    "sv": "kan du kontrollera det och skicka igen?",
    "tr": "kontrol edip tekrar gönderebilir misiniz?",
    "da": "kan du tjekke det og sende det igen?",
    "fi": "voisitko tarkistaa sen ja lähettää uudelleen?",
    "ja": "ご確認のうえ、もう一度送っていただけますか？",
    "zh": "能否核对后再发送一次？",
    "ko": "확인하신 후 다시 보내 주시겠어요?",
    "ru": "не могли бы вы проверить и отправить ещё раз?",
    "ar": "هل يمكنك التحقق منه وإرساله مرة أخرى؟",
    "hi": "क्या आप इसे जाँचकर फिर से भेज सकते हैं?",
    "uk": "чи не могли б ви перевірити й надіслати ще раз?",
    "cs": "můžete to zkontrolovat a poslat znovu?",
    "ro": "puteți verifica și trimite din nou?",
    "el": "μπορείτε να το ελέγξετε και να το στείλετε ξανά;",
    "he": "תוכל לבדוק ולשלוח שוב?",
    "vi": "bạn có thể kiểm tra và gửi lại không?",
    "id": "bisakah Anda memeriksanya dan mengirim lagi?",
    "th": "ช่วยตรวจสอบแล้วส่งมาอีกครั้งได้ไหม",
    "hu": "ellenőrizné és elküldené újra?",
    "no": "kan du sjekke det og sende det på nytt?",
    "sk": "môžete to skontrolovať a poslať znova?",
    "bg": "бихте ли проверили и изпратили отново?",
}
DASH = " — "
_ID_SUFFIX = re.compile(r"[_\s-]*(?:id|number|num|no|nr|code|ref)$", re.IGNORECASE)


def reply_to_refusal(context: BrainContext, refused: ActionRefused, language: str) -> BrainReply:
    """Tell the visitor what the action's server refused, or hand off when it refused the same
    way before in this conversation."""
    told = (_refusal_kind(t.text) for t in context.transcript if t.role == Role.AI)
    if context.policy.hands_off and refused.kind in told:
        return handoff(context, analyze_latest(context), [INSUFFICIENT_TOOLS])
    return BrainReply(text=refusal_text(refused, language), answered=False, language=language)


def refusal_text(refused: ActionRefused, language: str) -> str:
    """ "I couldn't find order 9999 — could you check the number?" in `language`."""
    slot, value = _first_argument(refused)
    thing = f"{_noun(slot)} {value}".strip() if language == "en" else value
    thing = thing or refused.action.replace("_", " ")
    first = COULD_NOT_FIND if refused.kind == NOT_FOUND else LOOKS_WRONG
    then = CHECK_NUMBER if any(c.isdigit() for c in value) else CHECK_IT
    sentence = say(first, language).format(thing=thing)
    return sentence[:1].upper() + sentence[1:] + DASH + say(then, language)


def _first_argument(refused: ActionRefused) -> tuple[str, str]:
    for name, value in refused.arguments.items():
        if isinstance(value, str | int | float) and str(value).strip():
            return name, str(value).strip()
    return "", ""


def _noun(slot: str) -> str:
    """`order_id` → "order", `tracking_number` → "tracking"; "" when nothing is left."""
    return _ID_SUFFIX.sub("", slot).replace("_", " ").strip()


def _refusal_kind(text: str) -> str | None:
    for kind, pattern in _patterns():
        if pattern.match(text):
            return kind
    return None


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """What our own refusal sentences look like, in every language, to find them again."""
    out = []
    for kind, table in ((NOT_FOUND, COULD_NOT_FIND), ("invalid", LOOKS_WRONG)):
        for template in table.values():
            before, after = template.split("{thing}")
            found = re.escape(before) + ".+?" + re.escape(after) + re.escape(DASH)
            out.append((kind, re.compile(found, re.IGNORECASE)))
    return tuple(out)
