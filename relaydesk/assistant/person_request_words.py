"""The words of a request for a person, by language (regular-expression alternations).

`person`: a word for someone who could take the chat (human, agent, Mitarbeiter, 客服…).
`cue`: a word that asks for them (talk, connect, sprechen, 说话…); a cue near a person word
in one sentence is a request. `strong`: a phrase that is a request by itself ("real person",
"call me back", 转人工). `bounded`: matched as whole words; scripts without spaces, and those
that fix particles onto words (Arabic, Hebrew, Hindi's vowel signs, Korean), are matched
inside words instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    person: str
    cue: str
    strong: str = ""
    bounded: bool = True


LANGUAGES: dict[str, Words] = {
    "en": Words(
        person=r"human(?![- ]?readable)s?|(?<!in )person|people|agent|representative|rep|"
        r"operator|someone(?! else)|somebody(?! else)|anyone|anybody|staff|employee|"
        r"customer (?:service|support|care)(?: team)?|support (?:team|staff|agent)|"
        r"team member|member of (?:your|the) team|someone from (?:your|the) team|manager|"
        r"supervisor|advisor|adviser|advisors|advisers|colleague|your (?:\w+ )?team",
        cue=r"talk(?!ed)|speak|chat (?:to|with)|connect|transfer|escalate|put me through|"
        r"get me|give me|pass me|hand me|want|need|'d like|would like|like to|request|reach|"
        r"contact me|get in touch|put me in touch|look at|help me|please|pls|plz",
        strong=r"live (?:agent|chat with (?:a|an|the|your)? ?\w+|person)|real (?:human|person|"
        r"agent)|actual (?:human|person|employee)|not (?:a|the|this) (?:bot|robot|machine|"
        r"chatbot)|human being|(?:talk|speak|chat) (?:to|with) (?:sales|support|billing)|"
        r"call me back|call-?back|give me a call|phone me|ring me|(?:someone|somebody|"
        r"anyone) (?:to )?call me|get a (?:phone )?call|(?:human|person|agent) available",
    ),
    "de": Words(
        person=r"mensch\w*|mitarbeiter\w*|berater\w*|kundendienst\w*|kundenservice|jemand\w*|"
        r"ansprechpartner\w*|sachbearbeiter\w*|servicemitarbeiter\w*|echte[nm]? person",
        cue=r"sprechen|reden|verbinden|verbinde|weiterleiten|durchstellen|möchte|will|wollen|"
        r"brauche|bitte|erreichen|hätte gern",
        strong=r"echte[nm]? menschen|keinen? (?:bot|roboter)|zurückrufen|rückruf\w*|"
        r"ruf\w* (?:sie )?mich (?:bitte )?an",
    ),
    "fr": Words(
        person=r"humain\w*|conseill\w*|opérat\w*|quelqu'un|service client|vraie personne|"
        r"une personne|un agent|un collaborateur",
        cue=r"parler|discuter|joindre|contacter|mettre en relation|mettez-moi|passer|passez|"
        r"passez-moi|transférer|veux|voudrais|besoin|s'il vous plaît|svp|échanger",
        strong=r"vraie personne|pas un robot|me rappeler|rappelez-moi|m'appeler|appelez-moi",
    ),
    "es": Words(
        person=r"humano\w*|persona(?:s)?|asesor\w*|operador\w*|alguien|representante\w*|"
        r"ejecutivo\w*|agente\w*",
        cue=r"hablar|comunicar|pasar|pásame|contactar|quiero|quisiera|necesito|transferir|"
        r"por favor|comunícame|atienda",
        strong=r"persona (?:real|de verdad)|no un robot|me (?:puede|pueden|podría) llamar|"
        r"llamarme|llámame|llámenme",
    ),
    "it": Words(
        person=r"umano|umani|operat\w*|consulent\w*|qualcuno|assistenza clienti|agente\w*",
        cue=r"parlare|passare|passami|contattare|voglio|vorrei|mett\w* in contatto|bisogno|"
        r"per favore",
        strong=r"persona vera|non un bot|richiamar\w*|chiamarmi|mi (?:può|potete) chiamare",
    ),
    "pt": Words(
        person=r"pessoa\w*|atendente\w*|alguém|assistente\w*|humano\w*|agente\w*",
        cue=r"falar|conversar|transferir|transfira|passa|passe|quero|gostaria|preciso|"
        r"por favor",
        strong=r"pessoa real|não um robô|me ligar|me liga|me ligue|ligar para mim",
    ),
    "nl": Words(
        person=r"mens|medewerker\w*|iemand|klantenservice",
        cue=r"spreken|praten|doorverbinden|verbinden|verbind|wil|graag|alstublieft|aub",
        strong=r"echt(?:e)? mens|geen bot|terugbellen|bel me|mij bellen",
    ),
    "pl": Words(
        person=r"człowiek\w*|osob[ąaey]|konsultant\w*|pracownik\w*|kimś|ktoś|agent\w*",
        cue=r"rozmawiać|porozmawiać|połącz\w*|chcę|chciał\w*|proszę|potrzebuję",
        strong=r"prawdziw\w* (?:człowiek\w*|osob\w*)|zadzwonić do mnie|do mnie zadzwoni\w*|"
        r"oddzwoni\w*",
    ),
    "sv": Words(
        person=r"människa|människor|handläggare|medarbetare|någon|kundtjänst|riktig person",
        cue=r"prata|tala|koppla|vill|behöver|snälla",
        strong=r"riktig människa|ringa upp mig|ringa mig|ring mig",
    ),
    "tr": Words(
        person=r"insan\w*|temsilci\w*|yetkili\w*|operatör\w*|biri\w*|müşteri hizmetleri\w*|"
        r"canlı destek",
        cue=r"konuş\w*|görüş\w*|bağla\w*|istiyorum|lütfen|aktar\w*",
        strong=r"gerçek (?:bir )?(?:insan|kişi)|canlı destek|beni ara\w*|geri ara\w*",
    ),
    "da": Words(
        person=r"menneske\w*|medarbejder\w*|kundeservice|rigtig person",
        cue=r"tale|snakke|stil mig om|gerne|brug for",
        strong=r"rigtig person|ringe mig op|ringe mig|ring mig",
    ),
    "fi": Words(
        person=r"ihmi\w*|asiakaspalvel\w*",
        cue=r"puhua|puhu\w*|yhdistä\w*|haluan|voinko|jutella",
        strong=r"oikea\w* ihmi\w*|soittaa minulle|soittakaa minulle|soita minulle",
    ),
    "no": Words(
        person=r"menneske\w*|saksbehandler\w*|medarbeider\w*|kundeservice|noen|ekte person|"
        r"konsulent\w*|rådgiver\w*",
        cue=r"snakke|prate|sette meg over|koble|kontakte|vil|trenger|gjerne",
        strong=r"ekte (?:menneske|person)|ringe meg(?: tilbake)?",
    ),
    "ru": Words(
        person=r"человек\w*|оператор\w*|сотрудник\w*|менеджер\w*|консультант\w*|кем-нибудь|"
        r"кем-то|кто-нибудь|кто-то|агент\w*|представител\w*",
        cue=r"поговорить|говорить|связаться|связать|свяжите|соедините|соединить|переключите|"
        r"переключить|позовите|позвать|хочу|нужен|нужно|пожалуйста|дайте",
        strong=r"жив\w+ (?:человек\w*|оператор\w*)|перезвон\w*|позвоните мне|не (?:бот|робот)",
    ),
    "uk": Words(
        person=r"людин\w*|оператор\w*|працівник\w*|менеджер\w*|консультант\w*|хтось|когось|"
        r"кимось|агент\w*|представник\w*",
        cue=r"поговорити|говорити|зв'язатися|з'єднайте|з'єднати|переключіть|хочу|потрібен|"
        r"потрібно|будь ласка",
        strong=r"жив\w+ людин\w*|передзвон\w*|зателефонуйте мені",
    ),
    "bg": Words(
        person=r"човек|служител\w*|оператор\w*|консултант\w*|някой|някого|агент\w*|"
        r"представител\w*",
        cue=r"говоря|разговарям|свържете|свържа|свързване|прехвърлете|искам|моля",
        strong=r"да ми се обади|обадете ми се|(?:жив|истински) човек",
    ),
    "cs": Words(
        person=r"člověk\w*|operátor\w*|pracovník\w*|zaměstnan\w*|někdo|někým|někoho|"
        r"konzultant\w*|agent\w*",
        cue=r"mluvit|hovořit|promluvit|přepojit|přepojte|spojit|spojte|chci|potřebuji|prosím",
        strong=r"zavolat zpět|zavolejte mi|zavolat mi|(?:živ|skutečn)\w+ člověk\w*",
    ),
    "sk": Words(
        person=r"človek\w*|operátor\w*|pracovník\w*|zamestnan\w*|niekto|niekým|niekoho|"
        r"konzultant\w*|agent\w*",
        cue=r"hovoriť|rozprávať|prepojiť|prepojte|spojiť|spojte|chcem|potrebujem|prosím",
        strong=r"zavolať späť|zavolajte mi|zavolať mi|(?:živ|skutočn)\w+ človek\w*",
    ),
    "ro": Words(
        person=r"om|oameni|operator\w*|angajat\w*|cineva|consultant\w*|agent\w*|"
        r"reprezentant\w*|persoan\w*",
        cue=r"vorbesc|vorbi|conecta|conectați|transfera|transferați|vreau|doresc|aș dori|"
        r"vă rog",
        strong=r"să mă sune|sunați-mă|mă sunați|om real|persoană reală",
    ),
    "el": Words(
        person=r"άνθρωπ\w*|υπάλληλ\w*|εκπρόσωπ\w*|χειριστ\w*|κάποιο\w*|συνεργάτ\w*|πράκτορ\w*",
        cue=r"μιλήσω|μιλήσουμε|μιλάω|συνδέσετε|συνδέστε|σύνδεση|μεταφέρετε|θέλω|χρειάζομαι|"
        r"παρακαλώ",
        strong=r"να με (?:καλέσει|πάρει τηλέφωνο)|καλέστε με|πραγματικ\w+ άνθρωπ\w*",
    ),
    "hu": Words(
        person=r"ember\w*|ügyintéző\w*|munkatárs\w*|operátor\w*|valaki\w*|kolléga\w*|"
        r"ügyfélszolgálat\w*|személy\w*",
        cue=r"beszélni|beszélhetnék|beszélhetek|kapcsoljon|kapcsolna|kapcsolják|szeretnék|"
        r"kérem|kérek",
        strong=r"visszahív\w*|hívjon fel|hívjanak fel|(?:valódi|élő) ember\w*",
    ),
    "vi": Words(
        person=r"nhân viên|tư vấn viên|tổng đài viên|ai đó|admin",
        cue=r"nói chuyện|gặp|kết nối|chuyển|liên hệ|muốn|cần|vui lòng",
        strong=r"người thật|gọi lại cho tôi|gọi cho tôi|nhân viên tư vấn",
    ),
    "id": Words(
        person=r"manusia|orang|agen|cs|customer service|petugas|operator|admin|seseorang|"
        r"staf|staff",
        cue=r"bicara|berbicara|ngobrol|sambungkan|hubungkan|hubungi|transfer|mau|ingin|"
        r"butuh|tolong",
        strong=r"orang sungguhan|manusia asli|telepon (?:saya|balik)",
    ),
    "ja": Words(
        person=r"オペレーター|オペレータ|担当者|担当の方|スタッフ|人間|有人|係の人|係員|"
        r"サポートの方|人と",
        cue=r"話したい|話せ|話す|つないで|繋いで|代わって|変わって|相談したい|連絡|電話",
        strong=r"有人対応|人間と話|折り返し(?:の)?電話|電話(?:を)?ください|電話してください",
        bounded=False,
    ),
    "zh": Words(
        person=r"人工|真人|客服|工作人员|专员|活人|坐席",
        cue=r"说话|聊|联系|转|接|找|沟通|对话",
        strong=r"转人工|人工客服|真人客服|找人工|人工服务|回电话|给我打电话|回电",
        bounded=False,
    ),
    "ko": Words(
        person=r"상담원|상담사|사람|직원|담당자|매니저",
        cue=r"통화|얘기|이야기|대화|연결|바꿔|상담하고|말하고",
        strong=r"상담원 연결|사람이랑 얘기|사람과 대화|직원 연결|실제 직원|전화 주세요|"
        r"전화해 주세요|콜백",
        bounded=False,
    ),
    "th": Words(
        person=r"เจ้าหน้าที่|พนักงาน|คนจริง|แอดมิน",
        cue=r"คุย|ติดต่อ|โอนสาย|ต่อสาย|ขอสาย|พูด",
        strong=r"ขอคุยกับ|คุยกับคน|โอนสาย|โทรกลับ",
        bounded=False,
    ),
    "he": Words(
        person=r"נציג|בן אדם|מישהו|אנושי|מוקדן",
        cue=r"לדבר|לשוחח|תעבירו|להעביר|לחבר|תחברו|רוצה|צריך|בבקשה",
        strong=r"נציג אנושי|בן אדם אמיתי|תחזרו אליי|שיחזרו אליי|התקשרו אליי",
        bounded=False,
    ),
    "ar": Words(
        person=r"موظف|شخص|إنسان|انسان|بشري|ممثل|أحد|خدمة العملاء|مندوب",
        cue=r"التحدث|أتحدث|اتحدث|التكلم|أتكلم|تحويل|حولني|حوّلني|وصلني|أريد|اريد|يمكنني|"
        r"من فضلك|أحتاج",
        strong=r"شخص حقيقي|موظف بشري|اتصلوا بي|اتصل بي|يتصل بي",
        bounded=False,
    ),
    "hi": Words(
        person=r"इंसान|व्यक्ति|आदमी|प्रतिनिधि|एजेंट|कोई|किसी|ऑपरेटर",
        cue=r"बात|जोड़ें|जोड़ो|जोड़|कनेक्ट|ट्रांसफर|चाहिए|चाहता|चाहती|कृपया",
        strong=r"असली इंसान|कॉल बैक|मुझे कॉल करें|फोन करें",
        bounded=False,
    ),
}
