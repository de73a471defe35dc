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
