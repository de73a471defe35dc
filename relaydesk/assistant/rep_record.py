"""What the rep reads about a handoff, in the team's language: why the AI handed off, who asked
for it, the summary's labels and the ticket subject. Pure functions over the `Handoff` row."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Handoff

DEFAULT = "en"
SUBJECT_MAX = 120
TEAM_LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "pl": "Polski",
    "sv": "Svenska",
    "tr": "Türkçe",
    "da": "Dansk",
    "fi": "Suomi",
}
# Keys: the reason codes of `analysis.REASONS`, the requesters of `handoffs.REQUESTERS`, then
# the summary's labels. "{topic}" names the admin's topic.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "user_requested_human_assistance": "the visitor asked for a person",
        "insufficient_knowledge": "the AI found no answer in the help articles",
        "insufficient_tools": "the AI's actions could not do what the visitor needed",
        "prohibited_topic": "the message is about a handoff topic",
        "prohibited_topic_named": "the message is about the handoff topic “{topic}”",
        "frustration": "the visitor is frustrated",
        "unproductive_conversation": "the conversation was going in circles",
        "ai_error": "the AI ran into an error",
        "visitor": "visitor",
        "ai": "AI",
        "admin": "admin",
        "question": "Visitor's question",
        "answered": "AI answered",
        "why": "Handed off because",
        "nothing_yet": "nothing yet",
        "no_answer": "nothing it could answer with",
        "it_said": "it said",
        "not_given": "not given",
    },
    "de": {
        "user_requested_human_assistance": "der Besucher hat nach einem Menschen gefragt",
        "insufficient_knowledge": "die KI hat in den Hilfeartikeln keine Antwort gefunden",
        "insufficient_tools": "die Aktionen der KI konnten das Anliegen nicht erledigen",
        "prohibited_topic": "die Nachricht betrifft ein Übergabethema",
        "prohibited_topic_named": "die Nachricht betrifft das Übergabethema „{topic}“",
        "frustration": "der Besucher ist verärgert",
        "unproductive_conversation": "das Gespräch drehte sich im Kreis",
        "ai_error": "bei der KI ist ein Fehler aufgetreten",
        "visitor": "Besucher",
        "ai": "KI",
        "admin": "Admin",
        "question": "Frage des Besuchers",
        "answered": "Antwort der KI",
        "why": "Übergeben, weil",
        "nothing_yet": "noch keine",
        "no_answer": "keine passende Antwort",
        "it_said": "sie schrieb",
        "not_given": "nicht angegeben",
    },
    "fr": {
        "user_requested_human_assistance": "le visiteur a demandé à parler à une personne",
        "insufficient_knowledge": "l'IA n'a pas trouvé de réponse dans les articles d'aide",
        "insufficient_tools": "les actions de l'IA n'ont pas pu répondre au besoin du visiteur",
        "prohibited_topic": "le message porte sur un sujet à transférer",
        "prohibited_topic_named": "le message porte sur le sujet à transférer « {topic} »",
        "frustration": "le visiteur est mécontent",
        "unproductive_conversation": "la conversation tournait en rond",
        "ai_error": "l'IA a rencontré une erreur",
        "visitor": "visiteur",
        "ai": "IA",
        "admin": "administrateur",
        "question": "Question du visiteur",
        "answered": "Réponse de l'IA",
        "why": "Transféré parce que",
        "nothing_yet": "aucune pour l'instant",
        "no_answer": "aucune réponse utile",
        "it_said": "elle a écrit",
        "not_given": "non précisé",
    },
    "es": {
        "user_requested_human_assistance": "el visitante pidió hablar con una persona",
        "insufficient_knowledge": "la IA no encontró respuesta en los artículos de ayuda",
        "insufficient_tools": "las acciones de la IA no pudieron resolver lo que necesitaba",
        "prohibited_topic": "el mensaje trata de un tema de traspaso",
        "prohibited_topic_named": "el mensaje trata del tema de traspaso «{topic}»",
        "frustration": "el visitante está molesto",
        "unproductive_conversation": "la conversación daba vueltas sin avanzar",
        "ai_error": "la IA tuvo un error",
        "visitor": "visitante",
        "ai": "IA",
        "admin": "administrador",
        "question": "Pregunta del visitante",
        "answered": "Respuesta de la IA",
        "why": "Traspasado porque",
        "nothing_yet": "ninguna todavía",
        "no_answer": "ninguna respuesta útil",
        "it_said": "escribió",
        "not_given": "sin indicar",
    },
    "it": {
        "user_requested_human_assistance": "il visitatore ha chiesto di parlare con una persona",
        "insufficient_knowledge": "l'IA non ha trovato risposta negli articoli di aiuto",
        "insufficient_tools": "le azioni dell'IA non hanno potuto risolvere la richiesta",
        "prohibited_topic": "il messaggio riguarda un argomento da passare al team",
        "prohibited_topic_named": "il messaggio riguarda l'argomento da passare al team «{topic}»",
        "frustration": "il visitatore è contrariato",
        "unproductive_conversation": "la conversazione girava a vuoto",
        "ai_error": "l'IA ha avuto un errore",
        "visitor": "visitatore",
        "ai": "IA",
        "admin": "amministratore",
        "question": "Domanda del visitatore",
        "answered": "Risposta dell'IA",
        "why": "Passato al team perché",
        "nothing_yet": "ancora nessuna",
        "no_answer": "nessuna risposta utile",
        "it_said": "ha scritto",
        "not_given": "non indicato",
    },
    "pt": {
        "user_requested_human_assistance": "o visitante pediu para falar com uma pessoa",
        "insufficient_knowledge": "a IA não encontrou resposta nos artigos de ajuda",
        "insufficient_tools": "as ações da IA não conseguiram resolver o pedido",
        "prohibited_topic": "a mensagem trata de um tema de transferência",
        "prohibited_topic_named": "a mensagem trata do tema de transferência “{topic}”",
        "frustration": "o visitante está irritado",
        "unproductive_conversation": "a conversa andava em círculos",
        "ai_error": "a IA teve um erro",
        "visitor": "visitante",
        "ai": "IA",
        "admin": "administrador",
        "question": "Pergunta do visitante",
        "answered": "Resposta da IA",
        "why": "Transferido porque",
        "nothing_yet": "nenhuma ainda",
        "no_answer": "nenhuma resposta útil",
        "it_said": "ela escreveu",
        "not_given": "não indicado",
    },
    "nl": {
        "user_requested_human_assistance": "de bezoeker vroeg om een medewerker",
        "insufficient_knowledge": "de AI vond geen antwoord in de helpartikelen",
        "insufficient_tools": "de acties van de AI konden de vraag niet afhandelen",
        "prohibited_topic": "het bericht gaat over een overdrachtsonderwerp",
        "prohibited_topic_named": "het bericht gaat over het overdrachtsonderwerp ‘{topic}’",
        "frustration": "de bezoeker is gefrustreerd",
        "unproductive_conversation": "het gesprek liep in cirkels",
        "ai_error": "de AI liep tegen een fout aan",
        "visitor": "bezoeker",
        "ai": "AI",
        "admin": "beheerder",
        "question": "Vraag van de bezoeker",
        "answered": "Antwoord van de AI",
        "why": "Overgedragen omdat",
        "nothing_yet": "nog geen",
        "no_answer": "geen bruikbaar antwoord",
        "it_said": "de AI schreef",
        "not_given": "niet opgegeven",
    },
    "pl": {
        "user_requested_human_assistance": "odwiedzający poprosił o rozmowę z człowiekiem",
        "insufficient_knowledge": "AI nie znalazła odpowiedzi w artykułach pomocy",
        "insufficient_tools": "akcje AI nie mogły załatwić sprawy",
        "prohibited_topic": "wiadomość dotyczy tematu do przekazania",
        "prohibited_topic_named": "wiadomość dotyczy tematu do przekazania „{topic}”",
        "frustration": "odwiedzający jest zdenerwowany",
        "unproductive_conversation": "rozmowa kręciła się w kółko",
        "ai_error": "w AI wystąpił błąd",
        "visitor": "odwiedzający",
        "ai": "AI",
        "admin": "administrator",
        "question": "Pytanie odwiedzającego",
        "answered": "Odpowiedź AI",
        "why": "Przekazano, ponieważ",
        "nothing_yet": "jeszcze żadna",
        "no_answer": "brak przydatnej odpowiedzi",
        "it_said": "napisała",
        "not_given": "nie podano",
    },
    "sv": {
        "user_requested_human_assistance": "besökaren bad att få prata med en person",
        "insufficient_knowledge": "AI:n hittade inget svar i hjälpartiklarna",
        "insufficient_tools": "AI:ns åtgärder kunde inte lösa ärendet",
        "prohibited_topic": "meddelandet gäller ett överlämningsämne",
        "prohibited_topic_named": "meddelandet gäller överlämningsämnet ”{topic}”",
        "frustration": "besökaren är frustrerad",
        "unproductive_conversation": "samtalet gick i cirklar",
        "ai_error": "AI:n stötte på ett fel",
        "visitor": "besökare",
        "ai": "AI",
        "admin": "administratör",
        "question": "Besökarens fråga",
        "answered": "AI:ns svar",
        "why": "Överlämnat eftersom",
        "nothing_yet": "inget ännu",
        "no_answer": "inget användbart svar",
        "it_said": "den skrev",
        "not_given": "inte angivet",
    },
    "tr": {
        "user_requested_human_assistance": "ziyaretçi bir kişiyle görüşmek istedi",
        "insufficient_knowledge": "yapay zekâ yardım makalelerinde yanıt bulamadı",
        "insufficient_tools": "yapay zekânın eylemleri talebi karşılayamadı",
        "prohibited_topic": "mesaj bir devir konusuyla ilgili",
        "prohibited_topic_named": "mesaj “{topic}” devir konusuyla ilgili",
        "frustration": "ziyaretçi rahatsız",
        "unproductive_conversation": "konuşma bir yere varmıyordu",
        "ai_error": "yapay zekâ bir hatayla karşılaştı",
        "visitor": "ziyaretçi",
        "ai": "yapay zekâ",
        "admin": "yönetici",
        "question": "Ziyaretçinin sorusu",
        "answered": "Yapay zekânın yanıtı",
        "why": "Devredilme nedeni",
        "nothing_yet": "henüz yok",
        "no_answer": "işe yarar bir yanıt yok",
        "it_said": "yazdığı",
        "not_given": "belirtilmedi",
    },
    "da": {
        "user_requested_human_assistance": "besøgende bad om at tale med en person",
        "insufficient_knowledge": "AI'en fandt intet svar i hjælpeartiklerne",
        "insufficient_tools": "AI'ens handlinger kunne ikke løse sagen",
        "prohibited_topic": "beskeden handler om et overdragelsesemne",
        "prohibited_topic_named": "beskeden handler om overdragelsesemnet “{topic}”",
        "frustration": "den besøgende er frustreret",
        "unproductive_conversation": "samtalen kørte i ring",
        "ai_error": "AI'en stødte på en fejl",
        "visitor": "besøgende",
        "ai": "AI",
        "admin": "administrator",
        "question": "Den besøgendes spørgsmål",
        "answered": "AI'ens svar",
        "why": "Overdraget fordi",
        "nothing_yet": "intet endnu",
        "no_answer": "intet brugbart svar",
        "it_said": "den skrev",
        "not_given": "ikke angivet",
    },
    "fi": {
        "user_requested_human_assistance": "kävijä pyysi päästä puhumaan ihmisen kanssa",
        "insufficient_knowledge": "tekoäly ei löytänyt vastausta ohjeartikkeleista",
        "insufficient_tools": "tekoälyn toiminnot eivät pystyneet hoitamaan asiaa",
        "prohibited_topic": "viesti koskee siirrettävää aihetta",
        "prohibited_topic_named": "viesti koskee siirrettävää aihetta ”{topic}”",
        "frustration": "kävijä on turhautunut",
        "unproductive_conversation": "keskustelu kiersi kehää",
        "ai_error": "tekoälyssä tapahtui virhe",
        "visitor": "kävijä",
        "ai": "tekoäly",
        "admin": "ylläpitäjä",
        "question": "Kävijän kysymys",
        "answered": "Tekoälyn vastaus",
        "why": "Siirretty, koska",
        "nothing_yet": "ei vielä mitään",
        "no_answer": "ei käyttökelpoista vastausta",
        "it_said": "se kirjoitti",
        "not_given": "ei kerrottu",
    },
}


def words_in(language: str | None) -> dict[str, str]:
    """The team's words, English for a language we do not have."""
    return WORDS.get(language or DEFAULT, WORDS[DEFAULT])


def reason_words(reasons: Sequence[str], language: str | None, topic: str | None = None) -> str:
    """`["frustration", "prohibited_topic"]` → "the visitor is frustrated; the message is
    about the handoff topic “legal questions”" (codes we have no words for stay as they are)."""
    said = words_in(language)
    parts = []
    for reason in reasons:
        if reason == "prohibited_topic" and topic:
            parts.append(said["prohibited_topic_named"].format(topic=topic))
        else:
            parts.append(said.get(reason) or WORDS[DEFAULT].get(reason) or reason)
    return "; ".join(parts) or said["not_given"]


def requester_words(requested_by: str, language: str | None) -> str:
    """Who asked for the handoff: "visitor", "AI" or "admin", in the team's language."""
    return words_in(language).get(requested_by) or requested_by


def ticket_subject(handoff: Handoff, fallback: str) -> str:
    """The visitor's first real question, on one line and cut to fit; `fallback` (e.g. "Chat
    with Ada") when they asked none. Handoffs recorded before questions were kept use the
    summary's first line."""
    older = (handoff.summary or "").strip().splitlines()[:1] if handoff.question is None else []
    line = " ".join((handoff.question or (older[0] if older else "")).split()) or fallback
    return line if len(line) <= SUBJECT_MAX else line[: SUBJECT_MAX - 1] + "…"


def summary_facts(handoff: Handoff) -> list[tuple[str, str]]:
    """The summary's question and answer as labelled facts for the note (its reasons line is
    what the note's "Reason" says); an older free-text summary as one "Summary" fact."""
    said = words_in(handoff.team_language)
    labels = (said["question"], said["answered"])
    facts = []
    for line in (handoff.summary or "").splitlines():
        label, _, value = line.partition(": ")
        if label in labels:
            facts.append((label, value))
    return facts or [("Summary", (handoff.summary or "").strip() or "-")]
