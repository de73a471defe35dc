"""What the AI says about handoffs, in the visitor's language (English when we lack one)."""

from __future__ import annotations

HANDING_OFF = {
    "en": "I'm passing you to a person from our team. They'll reply right here.",
    "de": "Ich verbinde Sie mit einem Menschen aus unserem Team. Die Antwort kommt hier im Chat.",
    "fr": "Je vous mets en relation avec une personne de notre équipe. Elle vous répondra ici.",
    "es": "Te paso con una persona de nuestro equipo. Te responderá aquí mismo.",
    "it": "Ti passo a una persona del nostro team. Ti risponderà qui.",
    "pt": "Vou passar você para uma pessoa da nossa equipe. Ela responderá aqui mesmo.",
    "nl": "Ik verbind je door met iemand van ons team. Je krijgt hier antwoord.",
    "pl": "Przekazuję rozmowę osobie z naszego zespołu. Odpowie tutaj.",
    "sv": "Jag kopplar dig till en person i vårt team. Du får svar här.",
    "tr": "Sizi ekibimizden bir kişiye aktarıyorum. Size buradan yanıt verecek.",
    "da": "Jeg sender dig videre til en person fra vores team. Du får svar her.",
    "fi": "Siirrän sinut tiimimme henkilölle. Hän vastaa sinulle tässä.",
}
# Private-app mode: HubSpot gets a ticket, but reps cannot answer in the chat.
BY_EMAIL = {
    "en": "I've passed this to our team with the whole conversation. They'll follow up by email.",
    "de": "Ich habe das mit dem ganzen Gespräch an unser Team weitergegeben. Es meldet sich per "
    "E-Mail bei Ihnen.",
    "fr": "J'ai transmis votre demande et toute la conversation à notre équipe. Elle vous "
    "répondra par e-mail.",
    "es": "He pasado tu consulta y toda la conversación a nuestro equipo. Te responderá por "
    "correo electrónico.",
    "it": "Ho passato la richiesta e l'intera conversazione al nostro team. Ti risponderà via "
    "e-mail.",
    "pt": "Passei o seu pedido e toda a conversa para a nossa equipe. Ela responderá por e-mail.",
    "nl": "Ik heb dit met het hele gesprek aan ons team doorgegeven. Je krijgt antwoord per "
    "e-mail.",
    "pl": "Przekazałem sprawę wraz z całą rozmową naszemu zespołowi. Odpowie e-mailem.",
    "sv": "Jag har skickat detta med hela konversationen till vårt team. De återkommer via "
    "e-post.",
    "tr": "Talebinizi tüm konuşmayla birlikte ekibimize ilettim. Size e-postayla dönüş yapacaklar.",
    "da": "Jeg har sendt dette med hele samtalen videre til vores team. De vender tilbage på "
    "e-mail.",
    "fi": "Välitin asian koko keskustelun kera tiimillemme. He vastaavat sinulle sähköpostitse.",
}
# HubSpot cannot take the handoff yet (not connected, the connection broken): it is queued.
FOLLOW_UP = {
    "en": "Thanks for your patience. A member of our team will follow up with you.",
    "de": "Danke für Ihre Geduld. Jemand aus unserem Team meldet sich bei Ihnen.",
    "fr": "Merci de votre patience. Un membre de notre équipe reviendra vers vous.",
    "es": "Gracias por tu paciencia. Una persona de nuestro equipo se pondrá en contacto contigo.",
    "it": "Grazie per la pazienza. Una persona del nostro team ti ricontatterà.",
    "pt": "Obrigado pela paciência. Uma pessoa da nossa equipe entrará em contato com você.",
    "nl": "Bedankt voor je geduld. Iemand van ons team neemt contact met je op.",
    "pl": "Dziękujemy za cierpliwość. Ktoś z naszego zespołu skontaktuje się z Tobą.",
    "sv": "Tack för ditt tålamod. Någon i vårt team återkommer till dig.",
    "tr": "Sabrınız için teşekkürler. Ekibimizden biri sizinle iletişime geçecek.",
    "da": "Tak for din tålmodighed. En fra vores team vender tilbage til dig.",
    "fi": "Kiitos kärsivällisyydestäsi. Joku tiimistämme ottaa sinuun yhteyttä.",
}
LEAVE_EMAIL = {
    "en": "Please leave your email address so they can reach you.",
    "de": "Bitte hinterlassen Sie Ihre E-Mail-Adresse, damit das Team Sie erreichen kann.",
    "fr": "Laissez votre adresse e-mail pour que l'équipe puisse vous joindre.",
    "es": "Déjanos tu correo electrónico para que el equipo pueda contactarte.",
    "it": "Lascia il tuo indirizzo e-mail così il team può contattarti.",
    "pt": "Deixe o seu e-mail para que a equipe possa entrar em contato.",
    "nl": "Laat je e-mailadres achter zodat het team je kan bereiken.",
    "pl": "Zostaw swój adres e-mail, aby zespół mógł się z Tobą skontaktować.",
    "sv": "Lämna din e-postadress så att teamet kan nå dig.",
    "tr": "Ekibin size ulaşabilmesi için lütfen e-posta adresinizi bırakın.",
    "da": "Skriv din e-mailadresse, så teamet kan kontakte dig.",
    "fi": "Jätä sähköpostiosoitteesi, jotta tiimi voi tavoittaa sinut.",
}
DECLINE = {
    "en": "I'm sorry, our team can't take chats here, but I'll gladly keep helping you.",
    "de": "Leider kann unser Team hier keine Chats übernehmen, aber ich helfe Ihnen gern weiter.",
    "fr": "Désolé, notre équipe ne répond pas aux discussions ici, mais je continue à vous aider.",
    "es": "Lo siento, nuestro equipo no atiende chats aquí, pero con gusto sigo ayudándote.",
}
ASK_EMAIL = {
    "en": "Sure. So our team can follow up, what's your email address?",
    "de": "Gern. Unter welcher E-Mail-Adresse kann unser Team Sie erreichen?",
    "fr": "Bien sûr. À quelle adresse e-mail notre équipe peut-elle vous répondre ?",
    "es": "Claro. ¿A qué correo electrónico puede escribirte nuestro equipo?",
}
TRY_FIRST = {
    "en": "I can probably help with that myself: what's your question? If you'd still "
    "rather talk to a person, just say so again.",
    "de": "Vielleicht kann ich selbst helfen: Was ist Ihre Frage? Wenn Sie trotzdem mit "
    "einem Menschen sprechen möchten, sagen Sie es einfach noch einmal.",
}
GOODBYE = {
    "en": "Glad I could help! I'll close this chat now. If anything else comes up, just write "
    "again.",
    "de": "Schön, dass ich helfen konnte! Ich schließe diesen Chat jetzt. Schreiben Sie einfach "
    "wieder, wenn noch etwas ist.",
    "fr": "Ravi d'avoir pu vous aider ! Je ferme cette discussion. Écrivez-nous si besoin.",
    "es": "¡Me alegra haber ayudado! Cierro este chat. Si necesitas algo más, escríbenos.",
}
AI_ERROR_APOLOGY = {
    "en": "Sorry, something went wrong on my side. Please try again in a moment.",
}


def say(table: dict[str, str], language: str | None) -> str:
    return table.get(language or "en") or table["en"]
