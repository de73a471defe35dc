"""The words of small talk, by language: what a message made only of them is (a greeting,
thanks, "are you there?"…). `*` marks words every language borrows ("ok", "hello", "super"),
which say nothing about the visitor's language. Phrases of several words are matched whole."""

from __future__ import annotations

GREETING, THANKS, ACK, PRESENCE, FAREWELL, HOW_ARE_YOU, YES, NO, PRAISE, FILLER = (
    "greeting thanks ack presence farewell how_are_you yes no praise filler".split()
)

# language → kind → phrases, separated by "|"
WORDS: dict[str, dict[str, str]] = {
    "*": {
        GREETING: "hi|hello|hey|helo|yo|heya|hiya",
        ACK: "ok|okay|okey|oki|k|kk|cool|super|top|mhm|hmm|aha|ah|oh|nice|wow|bravo",
        FAREWELL: "bye|bb|bye bye",
        THANKS: "thx",
    },
    "en": {
        GREETING: "good morning|good afternoon|good evening|greetings|hi there|hello there|"
        "hey there|howdy|morning|evening|afternoon",
        THANKS: "ty|thanks|thank you|thank u|thanks a lot|many thanks|cheers|thanx|tnx|"
        "appreciate it|much appreciated|thanks again",
        ACK: "got it|alright|all right|fine|sure|understood|i see|sounds good|noted|great|good|"
        "awesome|fantastic|excellent|wonderful|brilliant|lovely|sweet|right|makes sense|gotcha",
        PRESENCE: "are you there|anyone there|anybody there|is anyone there|is anybody there|"
        "anyone here|anyone around|anybody around|someone around|is someone there|you there|"
        "still there|are you still there|hello anyone|"
        "is this working|are you a bot|are you real|are you human|is this a bot|who are you",
        FAREWELL: "goodbye|good bye|see you|see ya|good night|have a nice day|have a good day|"
        "take care|later|bye for now",
        HOW_ARE_YOU: "how are you|how are you doing|how is it going|how's it going|hows it going|"
        "what's up|whats up|sup|how are things|how do you do|doing today",
        YES: "yes|yeah|yep|yup|yes please|please do|sure thing|of course|definitely|absolutely",
        NO: "no|nope|no thanks|no thank you|nah|not now|never mind|nevermind|that's all|"
        "that is all|nothing else",
        PRAISE: "perfect|that was helpful|that helped|very helpful|really helpful|so helpful|"
        "that was really helpful|love it|you're great|you are great|great service|"
        "thanks for the help|thanks for your help|thank you for your help|"
        "thank you for the help|for the quick answer|for the quick reply",
        FILLER: "so much|very much|a lot|again|guys|folks|team|everyone|all|there|too|then|"
        "and|for|the|you|please|pls|plz|really|today|that's|that|thats|it|is|oh|well|"
        "man|buddy|mate|sir|madam|just|indeed|very|so|good",
    },
    "de": {
        GREETING: "hallo|moin|guten tag|guten morgen|guten abend|servus|grüß gott|grüezi|grüß dich|"
        "hallöchen|tag|morgen|n'abend|nabend|hi zusammen|hallo zusammen",
        THANKS: "danke|danke schön|dankeschön|danke sehr|vielen dank|besten dank|herzlichen dank|"
        "danke vielmals|merci vielmals|dankesehr",
        ACK: "alles klar|verstanden|gut|sehr gut|prima|toll|klasse|genau|in ordnung|passt|"
        "geht klar|schön|gerne|gern|jawohl|okay danke",
        PRESENCE: "sind sie da|sind sie noch da|bist du da|bist du noch da|ist da jemand|"
        "jemand da|hallo jemand da|hört mich jemand|ist hier jemand",
        FAREWELL: "tschüss|tschüs|auf wiedersehen|bis dann|bis bald|schönen tag noch|"
        "schönen abend|gute nacht|ade|adieu",
        HOW_ARE_YOU: "wie geht es ihnen|wie geht's|wie gehts|wie geht es dir|alles gut",
        YES: "ja|ja bitte|jawohl|gerne|genau|sicher|natürlich|klar",
        NO: "nein|nein danke|nö|nee|das war's|das wars|sonst nichts",
        PRAISE: "das hat mir sehr geholfen|hat geholfen|sehr hilfreich|super hilfreich|"
        "das hat geholfen|für die schnelle antwort",
        FILLER: "schön|sehr|vielmals|nochmal|noch|mal|euch|ihnen|dir|bitte|wirklich|so|"
        "das|ist|leute|zusammen|auch|mir|sehr geholfen",
    },
    "fr": {
        GREETING: "salut|bonjour|bonsoir|coucou|bonjour à tous|allô|allo|salut à tous|bjr|slt",
        THANKS: "merci|merci beaucoup|merci bien|mille mercis|je vous remercie|merci infiniment",
        ACK: "d'accord|dacord|d'acc|très bien|parfait|génial|super bien|entendu|compris|"
        "ça marche|c'est noté|bien|ok merci|nickel|excellent|c'est parfait",
        PRESENCE: "il y a quelqu'un|vous êtes là|tu es là|y a quelqu'un|quelqu'un|"
        "il y a quelqu un|vous êtes toujours là",
        FAREWELL: "au revoir|à bientôt|bonne journée|bonne soirée|bonne nuit|à plus|adieu",
        HOW_ARE_YOU: "ça va|comment ça va|comment allez-vous|comment vas-tu|vous allez bien",
        YES: "oui|oui merci|oui s'il vous plaît|volontiers|bien sûr|ouais|carrément",
        NO: "non|non merci|c'est tout|rien d'autre",
        PRAISE: "pour la réponse rapide|ça m'a aidé|très utile|je suis ravi|je suis ravie|"
        "excellent service",
        FILLER: "beaucoup|encore|à vous|à tous|vraiment|s'il vous plaît|svp|stp|pour|la|c'est|très",
    },
    "es": {
        GREETING: "hola|buenos días|buenas tardes|buenas noches|buenas|qué tal|holi|saludos|"
        "hola a todos|buen día",
        THANKS: "gracias|muchas gracias|muchísimas gracias|mil gracias|te lo agradezco|"
        "se lo agradezco",
        ACK: "vale|de acuerdo|perfecto|genial|entendido|muy bien|bien|bueno|claro|listo|"
        "estupendo|excelente|dale|okey",
        PRESENCE: "hay alguien ahí|hay alguien|estás ahí|está ahí|sigues ahí|hola hay alguien",
        FAREWELL: "adiós|hasta luego|hasta pronto|chao|nos vemos|buen día|que tenga buen día",
        HOW_ARE_YOU: "cómo estás|como estas|cómo está|qué tal estás",
        YES: "sí|si|sí por favor|claro que sí|por supuesto|vale sí",
        NO: "no|no gracias|eso es todo|nada más",
        PRAISE: "me ha ayudado mucho|me ayudó mucho|muy útil|por la rapidez|"
        "por la respuesta rápida",
        FILLER: "mucho|muy|de nuevo|otra vez|a todos|por favor|de verdad",
    },
    "it": {
        GREETING: "ciao|buongiorno|buonasera|salve|ciao a tutti|buon pomeriggio",
        THANKS: "grazie|grazie mille|grazie tante|ti ringrazio|la ringrazio|molte grazie",
        ACK: "va bene|d'accordo|perfetto|ottimo|capito|benissimo|bene|certo|perfetto grazie",
        PRESENCE: "c'è qualcuno|ci sei|c'è nessuno|ci siete|siete lì",
        FAREWELL: "arrivederci|a presto|buona giornata|buona serata|buonanotte",
        HOW_ARE_YOU: "come stai|come sta|tutto bene",
        YES: "sì|si|sì grazie|certo|volentieri|sì per favore",
        NO: "no|no grazie|è tutto|niente altro",
        PRAISE: "gentilissimi|gentilissimo|gentilissima|molto utile|mi avete aiutato",
        FILLER: "mille|tante|davvero|molto|ancora|a tutti|per favore",
    },
    "pt": {
        GREETING: "olá|oi|bom dia|boa tarde|boa noite|oi tudo bem|e aí|olá a todos",
        THANKS: "obrigado|obrigada|muito obrigado|muito obrigada|valeu|brigado|brigada|obrigadão",
        ACK: "tá bom|ta bom|certo|beleza|perfeito|ótimo|entendi|tudo bem|combinado|legal|"
        "show|blz|tranquilo",
        PRESENCE: "tem alguém aí|alguém aí|você está aí|está aí|tem alguém",
        FAREWELL: "tchau|até logo|até mais|adeus|até breve|bom dia para você",
        HOW_ARE_YOU: "tudo bem|como vai|como você está|tudo bom",
        YES: "sim|sim por favor|claro|com certeza|pode ser",
        NO: "não|nao|não obrigado|não obrigada|é só isso|só isso",
        PRAISE: "ajudou bastante|ajudou muito|muito útil|pela rapidez|pela resposta rápida",
        FILLER: "muito|mesmo|de novo|por favor|pra você|bastante",
    },
    "nl": {
        GREETING: "hallo|goedemorgen|goedemiddag|goedenavond|hoi|hallo daar|dag|hee|hoi allemaal",
        THANKS: "bedankt|dank je|dank je wel|dank u|dank u wel|heel erg bedankt|dankjewel|dankuwel",
        ACK: "prima|goed|oké|duidelijk|begrepen|helder|top|mooi|geweldig|in orde|akkoord|"
        "fijn|perfect",
        PRESENCE: "is daar iemand|is er iemand|ben je daar|bent u daar|is er iemand daar",
        FAREWELL: "doei|tot ziens|fijne dag|tot later|dag dag",
        HOW_ARE_YOU: "hoe gaat het|hoe is het|alles goed",
        YES: "ja|ja graag|graag|zeker|natuurlijk|jazeker",
        NO: "nee|nee dank je|nee bedankt|dat was het|verder niets",
        PRAISE: "dat helpt enorm|dat helpt|heel behulpzaam|super bedankt",
        FILLER: "heel|erg|wel|nog|weer|daar|allemaal|alvast",
    },
    "pl": {
        GREETING: "dzień dobry|cześć|witam|dobry wieczór|hej|siema|czesc|dzien dobry",
        THANKS: "dziękuję|dzięki|dziękuje|dziekuje|dzieki|dziękuję bardzo|bardzo dziękuję",
        ACK: "dobrze|w porządku|jasne|rozumiem|świetnie|super|okej|spoko|zgoda|doskonale",
        PRESENCE: "jest tam ktoś|czy ktoś tam jest|jest ktoś|jesteś tam|jest pan tam",
        FAREWELL: "do widzenia|na razie|do zobaczenia|dobranoc|pa",
        HOW_ARE_YOU: "jak się masz|co słychać|jak leci",
        YES: "tak|tak proszę|oczywiście|pewnie",
        NO: "nie|nie dziękuję|to wszystko",
        PRAISE: "bardzo mi pomogliście|bardzo pomocne|pomogło",
        FILLER: "bardzo|jeszcze|raz|wam|panu|pani|proszę",
    },
    "sv": {
        GREETING: "hej|hej hej|hallå|god morgon|god dag|god kväll|tjena|tja|hejsan|hej på dig",
        THANKS: "tack|tack så mycket|tusen tack|stort tack|tackar",
        ACK: "okej|bra|toppen|utmärkt|jättebra|fint|perfekt|förstår|uppfattat|absolut|kanon",
        PRESENCE: "är det någon där|är någon där|är du där|finns det någon där",
        FAREWELL: "hej då|vi ses|ha en bra dag|god natt|adjö",
        HOW_ARE_YOU: "hur mår du|hur är läget|läget",
        YES: "ja|ja tack|gärna|absolut|visst|självklart",
        NO: "nej|nej tack|det var allt",
        PRAISE: "det hjälpte verkligen|det hjälpte|jättebra service",
        FILLER: "så mycket|mycket|verkligen|igen|er|dig|så",
    },
    "tr": {
        GREETING: "merhaba|selam|günaydın|iyi günler|iyi akşamlar|selamlar|merhabalar|slm|mrb",
        THANKS: "teşekkürler|teşekkür ederim|çok teşekkürler|çok teşekkür ederim|sağ ol|"
        "sağol|sağ olun|eyvallah|tşk|tesekkurler",
        ACK: "tamam|tamamdır|peki|anladım|harika|süper|güzel|olur|oldu|anlaşıldı|tmm",
        PRESENCE: "orada kimse var mı|kimse var mı|orada mısınız|orada mısın|burada mısınız",
        FAREWELL: "hoşça kal|hoşçakal|görüşürüz|iyi geceler|güle güle|kendine iyi bak",
        HOW_ARE_YOU: "nasılsın|nasılsınız|naber|ne haber",
        YES: "evet|evet lütfen|olur|tabii|tabii ki",
        NO: "hayır|hayır teşekkürler|yok|bu kadar",
        PRAISE: "çok yardımcı oldunuz|yardımcı oldunuz|çok işime yaradı",
        FILLER: "çok|lütfen|size|sana|gerçekten",
    },
    "da": {
        GREETING: "hej|hallo|hej med dig|goddag|godmorgen|godaften|hejsa|davs",
        THANKS: "tak|mange tak|tusind tak|tak skal du have|tak for hjælpen",
        ACK: "okay|fint|godt|super|perfekt|forstået|i orden|fedt|udmærket",
        PRESENCE: "er der nogen|er der nogen der|er du der",
        FAREWELL: "farvel|hej hej|vi ses|god dag|godnat|ha' en god dag",
        HOW_ARE_YOU: "hvordan går det|hvordan har du det",
        YES: "ja|ja tak|gerne|selvfølgelig",
        NO: "nej|nej tak|det var det",
        PRAISE: "det hjalp virkelig meget|det hjalp|meget hjælpsom",
        FILLER: "meget|virkelig|igen|dig|jer|med dig",
    },
    "fi": {
        GREETING: "hei|moi|moikka|hei hei|terve|päivää|hyvää päivää|huomenta|hyvää huomenta|"
        "iltaa|hyvää iltaa|heippa",
        THANKS: "kiitos|kiitos paljon|kiitti|kiitoksia|suuri kiitos|kiitti paljon",
        ACK: "selvä|okei|hyvä|hienoa|mahtavaa|loistavaa|ymmärrän|sopii|jees|joo",
        PRESENCE: "onko siellä ketään|onko ketään paikalla|oletko siellä|onko siellä joku",
        FAREWELL: "näkemiin|hei sitten|moikka sitten|hyvää päivänjatkoa|hyvää yötä",
        HOW_ARE_YOU: "mitä kuuluu|miten menee",
        YES: "kyllä|joo|juu|kyllä kiitos|mielellään",
        NO: "ei|ei kiitos|siinä kaikki",
        PRAISE: "tämä auttoi todella|tämä auttoi|auttoi paljon",
        FILLER: "paljon|todella|vielä|teille|sinulle",
    },
    "ja": {
        GREETING: "こんにちは|こんばんは|おはようございます|おはよう|はじめまして|どうも|もしもし|"
        "お疲れ様です|やあ",
        THANKS: "ありがとうございます|ありがとうございました|ありがとう|どうもありがとう|"
        "感謝します|助かりました|サンキュー",
        ACK: "了解です|了解|わかりました|分かりました|承知しました|なるほど|いいね|オッケー|"
        "大丈夫です|はい",
        PRESENCE: "誰かいますか|だれかいますか|いますか|聞こえますか",
        FAREWELL: "さようなら|それでは|失礼します|またね|では",
        HOW_ARE_YOU: "お元気ですか|元気ですか|調子はどう",
        YES: "はい|ええ|お願いします|はいお願いします|うん",
        NO: "いいえ|大丈夫です|結構です|以上です",
        FILLER: "です|ね|よ|本当に|とても|よろしく|よろしくお願いします",
    },
    "zh": {
        GREETING: "你好|您好|嗨|哈喽|早上好|下午好|晚上好|大家好|你们好",
        THANKS: "谢谢|谢谢你|谢谢您|多谢|感谢|非常感谢|谢啦|謝謝|谢谢啦",
        ACK: "好的|好|好吧|知道了|明白了|明白|了解|收到|行|可以|没问题|嗯|哦|太好了|棒",
        PRESENCE: "在吗|在不在|有人吗|有人在吗|你在吗|在么",
        FAREWELL: "再见|拜拜|回见|晚安",
        HOW_ARE_YOU: "你好吗|最近怎么样",
        YES: "是的|是|对|对的|要|好呀",
        NO: "不用了|不用|不了|没有了|就这样",
        FILLER: "了|啊|呀|吧|呢|哈|非常|真的|你们",
    },
    "ko": {
        GREETING: "안녕하세요|안녕|반갑습니다|좋은 아침입니다|안녕하십니까",
        THANKS: "감사합니다|고맙습니다|감사해요|고마워요|고마워|땡큐|감사",
        ACK: "알겠습니다|알겠어요|네 알겠습니다|좋아요|좋습니다|괜찮아요|확인했습니다|오케이",
        PRESENCE: "계세요|거기 누구 있어요|누구 있나요|계신가요|답변 주세요",
        FAREWELL: "안녕히 계세요|안녕히 가세요|수고하세요|잘 있어요",
        HOW_ARE_YOU: "잘 지내세요|어떻게 지내세요",
        YES: "네|예|응|네네|네 부탁해요",
        NO: "아니요|아니오|괜찮습니다|됐어요",
        FILLER: "정말|너무|진짜|많이",
    },
    "ru": {
        GREETING: "здравствуйте|привет|добрый день|доброе утро|добрый вечер|приветствую|"
        "здрасте|здравствуй",
        THANKS: "спасибо|спасибо большое|большое спасибо|благодарю|спс|пасиб",
        ACK: "ок|окей|хорошо|ладно|понятно|понял|поняла|ясно|отлично|супер|договорились|"
        "принято|класс",
        PRESENCE: "вы здесь|вы тут|есть кто|есть кто-нибудь|кто-нибудь есть|алло|ау",
        FAREWELL: "до свидания|пока|всего доброго|хорошего дня|спокойной ночи",
        HOW_ARE_YOU: "как дела|как вы|как поживаете",
        YES: "да|да пожалуйста|конечно|давайте",
        NO: "нет|нет спасибо|это всё|это все",
        FILLER: "вам|очень|ещё|еще|огромное",
    },
    "uk": {
        GREETING: "привіт|вітаю|добрий день|доброго дня|доброго ранку|добрий вечір|здрастуйте",
        THANKS: "дякую|дуже дякую|щиро дякую|спасибі|дякую вам",
        ACK: "добре|зрозуміло|зрозумів|зрозуміла|чудово|гаразд|домовились|ок|окей",
        PRESENCE: "ви тут|є хтось|тут є хтось|ви на зв'язку",
        FAREWELL: "до побачення|бувай|бувайте|гарного дня|на все добре",
        HOW_ARE_YOU: "як справи|як ви",
        YES: "так|так будь ласка|звичайно|авжеж",
        NO: "ні|ні дякую|це все",
        FILLER: "вам|дуже|ще",
    },
    "bg": {
        GREETING: "здравейте|здравей|добър ден|добро утро|добър вечер|здрасти",
        THANKS: "благодаря|благодаря ви|много благодаря|мерси",
        ACK: "добре|разбрах|ясно|чудесно|супер|става|окей|ок",
        PRESENCE: "има ли някой|тук ли сте|там ли сте",
        FAREWELL: "довиждане|чао|приятен ден|лека нощ",
        HOW_ARE_YOU: "как сте|как си",
        YES: "да|да моля|разбира се",
        NO: "не|не благодаря|това е всичко",
        FILLER: "ви|много|още",
    },
    "ar": {
        GREETING: "مرحبا|مرحباً|السلام عليكم|أهلا|اهلا|أهلاً|صباح الخير|مساء الخير|هلا",
        THANKS: "شكرا|شكراً|شكرا جزيلا|شكراً جزيلاً|مشكور|شكرا لك|جزاك الله خيرا",
        ACK: "حسنا|حسناً|تمام|ممتاز|فهمت|طيب|اوكي|أوكي|جميل|رائع",
        PRESENCE: "هل أنت هنا|هل يوجد أحد|هل من أحد|أنت هنا|هل انت هنا",
        FAREWELL: "مع السلامة|وداعا|وداعاً|إلى اللقاء|تصبح على خير",
        HOW_ARE_YOU: "كيف حالك|كيفك|كيف الحال",
        YES: "نعم|أجل|ايوه|نعم من فضلك",
        NO: "لا|لا شكرا|لا شكراً|هذا كل شيء",
        FILLER: "جزيلا|جزيلاً|لك|لكم",
    },
    "hi": {
        GREETING: "नमस्ते|नमस्कार|हैलो|हेलो|शुभ प्रभात|प्रणाम",
        THANKS: "धन्यवाद|शुक्रिया|बहुत धन्यवाद|बहुत बहुत धन्यवाद|थैंक यू|आभार",
        ACK: "ठीक है|अच्छा|समझ गया|समझ गई|बढ़िया|बहुत बढ़िया|ओके|सही है",
        PRESENCE: "क्या आप वहाँ हैं|क्या आप वहां हैं|कोई है|कोई है क्या|आप हैं",
        FAREWELL: "अलविदा|फिर मिलेंगे|शुभ रात्रि",
        HOW_ARE_YOU: "आप कैसे हैं|कैसे हो|क्या हाल है",
        YES: "हाँ|हां|जी हाँ|जी|हाँ जी",
        NO: "नहीं|नहीं धन्यवाद|बस इतना ही",
        FILLER: "जी|आपका|बहुत",
    },
    "cs": {
        GREETING: "dobrý den|ahoj|dobré ráno|dobrý večer|zdravím|nazdar|čau",
        THANKS: "děkuji|díky|děkuju|moc děkuji|mockrát děkuji|dík|dekuji",
        ACK: "dobře|v pořádku|jasně|rozumím|výborně|super|skvělé|platí|ok díky",
        PRESENCE: "je tam někdo|jste tam|je tu někdo",
        FAREWELL: "na shledanou|nashledanou|měj se|hezký den|dobrou noc",
        HOW_ARE_YOU: "jak se máte|jak se máš",
        YES: "ano|jo|ano prosím|samozřejmě",
        NO: "ne|ne děkuji|to je vše",
        FILLER: "moc|mockrát|vám|ještě",
    },
    "sk": {
        GREETING: "dobrý deň|ahoj|dobré ráno|dobrý večer|zdravím|čau",
        THANKS: "ďakujem|vďaka|ďakujem pekne|dakujem|ďakujem veľmi pekne",
        ACK: "dobre|v poriadku|jasné|rozumiem|výborne|super|skvelé",
        PRESENCE: "je tam niekto|ste tam|je tu niekto",
        FAREWELL: "dovidenia|maj sa|pekný deň|dobrú noc",
        HOW_ARE_YOU: "ako sa máte|ako sa máš",
        YES: "áno|hej|áno prosím|samozrejme",
        NO: "nie|nie ďakujem|to je všetko",
        FILLER: "pekne|veľmi|vám",
    },
    "ro": {
        GREETING: "salut|bună ziua|bună|salutare|bună dimineața|bună seara|buna ziua|buna",
        THANKS: "mulțumesc|mersi|mulțumesc frumos|mulțumesc mult|multumesc|mulțumim",
        ACK: "bine|în regulă|perfect|am înțeles|super|excelent|sigur|de acord",
        PRESENCE: "e cineva acolo|este cineva|sunteți acolo|e cineva",
        FAREWELL: "la revedere|pa|o zi bună|noapte bună",
        HOW_ARE_YOU: "ce faceți|ce faci|cum sunteți",
        YES: "da|da vă rog|sigur|desigur",
        NO: "nu|nu mulțumesc|asta e tot",
        FILLER: "frumos|mult|foarte|vă",
    },
    "el": {
        GREETING: "γεια σας|γεια σου|γεια|καλημέρα|καλησπέρα|χαίρετε",
        THANKS: "ευχαριστώ|ευχαριστώ πολύ|ευχαριστούμε|σας ευχαριστώ|ευχαριστω",
        ACK: "εντάξει|εντάξει ευχαριστώ|κατάλαβα|τέλεια|ωραία|πολύ καλά|οκ|οκέι|σύμφωνοι",
        PRESENCE: "είναι κανείς εκεί|υπάρχει κανείς|είστε εκεί|είσαι εκεί",
        FAREWELL: "αντίο|τα λέμε|καλή συνέχεια|καληνύχτα|καλή μέρα",
        HOW_ARE_YOU: "τι κάνετε|τι κάνεις|πώς είστε",
        YES: "ναι|ναι παρακαλώ|βεβαίως|φυσικά",
        NO: "όχι|όχι ευχαριστώ|αυτά",
        FILLER: "πολύ|σας|σου",
    },
    "he": {
        GREETING: "שלום|היי|הי|בוקר טוב|ערב טוב|אהלן|שלום לכם",
        THANKS: "תודה|תודה רבה|תודה לך|תודה לכם|אחלה תודה",
        ACK: "בסדר|אוקיי|מעולה|הבנתי|סבבה|אחלה|מצוין|יופי",
        PRESENCE: "יש מישהו|יש כאן מישהו|אתה שם|את שם|אתם שם",
        FAREWELL: "להתראות|ביי|יום טוב|לילה טוב",
        HOW_ARE_YOU: "מה שלומך|מה נשמע|מה קורה",
        YES: "כן|כן בבקשה|בטח|בוודאי",
        NO: "לא|לא תודה|זה הכל",
        FILLER: "רבה|מאוד|לך|לכם",
    },
    "vi": {
        GREETING: "xin chào|chào|chào bạn|chào anh|chào chị|chào shop|chào em|alo",
        THANKS: "cảm ơn|cám ơn|cảm ơn bạn|cảm ơn nhiều|cảm ơn shop|xin cảm ơn|camon|cảm ơn ạ",
        ACK: "được|được rồi|vâng|dạ|ổn|tốt|tuyệt|hiểu rồi|ok ạ|oke",
        PRESENCE: "có ai không|có ai ở đó không|bạn có ở đó không|shop ơi",
        FAREWELL: "tạm biệt|hẹn gặp lại|chúc ngủ ngon",
        HOW_ARE_YOU: "bạn khỏe không|khỏe không",
        YES: "có|vâng|dạ vâng|đúng rồi|có ạ",
        NO: "không|không cảm ơn|vậy thôi|không cần",
        FILLER: "ạ|nhé|nha|nhiều|bạn|rất",
    },
    "id": {
        GREETING: "halo|hai|selamat pagi|selamat siang|selamat sore|selamat malam|"
        "assalamualaikum|halo kak|hai kak|permisi",
        THANKS: "terima kasih|makasih|trims|terimakasih|thanks kak|terima kasih banyak|"
        "makasih kak|makasih banyak",
        ACK: "oke|baik|siap|sip|mengerti|paham|baiklah|oke kak|baik kak|mantap",
        PRESENCE: "ada orang|apakah ada orang|halo ada orang|kak ada",
        FAREWELL: "sampai jumpa|dadah|selamat tinggal",
        HOW_ARE_YOU: "apa kabar|bagaimana kabarmu",
        YES: "ya|iya|ya tolong|boleh|tentu",
        NO: "tidak|nggak|gak|tidak terima kasih|sudah cukup",
        FILLER: "kak|banyak|ya|sekali|gan|min",
    },
    "th": {
        GREETING: "สวัสดี|สวัสดีครับ|สวัสดีค่ะ|หวัดดี|ดีครับ|ดีค่ะ",
        THANKS: "ขอบคุณ|ขอบคุณครับ|ขอบคุณค่ะ|ขอบคุณมาก|ขอบใจ|ขอบคุณมากครับ|ขอบคุณมากค่ะ",
        ACK: "โอเค|ได้|ได้ครับ|ได้ค่ะ|เข้าใจแล้ว|ดีมาก|เยี่ยม|ครับ|ค่ะ|คะ",
        PRESENCE: "มีใครอยู่ไหม|อยู่ไหม|มีคนอยู่ไหม|ยังอยู่ไหม",
        FAREWELL: "ลาก่อน|บาย|แล้วพบกันใหม่",
        HOW_ARE_YOU: "สบายดีไหม|เป็นอย่างไรบ้าง",
        YES: "ใช่|ใช่ครับ|ใช่ค่ะ|ครับ|ค่ะ",
        NO: "ไม่|ไม่ครับ|ไม่ค่ะ|ไม่เป็นไร",
        FILLER: "ครับ|ค่ะ|คะ|นะ|มาก|จ้า",
    },
    "hu": {
        GREETING: "jó napot|jó napot kívánok|szia|sziasztok|helló|üdv|jó reggelt|jó estét|"
        "szervusz|csá",
        THANKS: "köszönöm|köszi|köszönöm szépen|nagyon köszönöm|köszönjük|kösz",
        ACK: "rendben|oké|jó|értem|szuper|remek|nagyszerű|megvan|világos",
        PRESENCE: "van ott valaki|van itt valaki|ott van|itt van valaki",
        FAREWELL: "viszontlátásra|viszlát|szia|további szép napot|jó éjszakát",
        HOW_ARE_YOU: "hogy van|hogy vagy|mi újság",
        YES: "igen|igen kérem|persze|természetesen",
        NO: "nem|nem köszönöm|ennyi",
        FILLER: "szépen|nagyon|önnek",
    },
    "no": {
        GREETING: "hei|hallo|god morgen|god dag|god kveld|heisann|hei hei",
        THANKS: "takk|tusen takk|mange takk|takk skal du ha|takker",
        ACK: "perfekt|ok takk|greit|fint|supert|perfekt|skjønner|den er grei|flott",
        PRESENCE: "er det noen der|er du der|er det noen her",
        FAREWELL: "ha det|ha det bra|farvel|ha en fin dag|god natt",
        HOW_ARE_YOU: "hvordan går det|går det bra",
        YES: "ja|ja takk|gjerne|selvfølgelig",
        NO: "nei|nei takk|det var alt",
        FILLER: "så mye|veldig|igjen|deg",
    },
}
