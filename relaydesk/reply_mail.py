"""The email that carries a rep's unread replies to a visitor: the replies, the conversation so
far, a link that reopens it in the widget and one that unsubscribes, in the conversation's
language; plain text with an HTML alternative (every value escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .assistant.language import locale_language
from .away_wording import word
from .mail import Mail
from .mail_links import (
    Reopen,
    Unsubscribe,
    reopen_token,
    reopen_url,
    unsubscribe_token,
    unsubscribe_url,
)
from .models import Conversation, Message, Organization, Role, Visitor
from .settings import Settings
from .widget_strings import RIGHT_TO_LEFT

SHOWN_ROLES = (Role.VISITOR, Role.AI, Role.AGENT)  # system notes (handoff, closing) are left out


@dataclass(frozen=True)
class MailContext:
    settings: Settings
    organization: Organization
    visitor: Visitor
    conversation: Conversation
    messages: list[Message]
    seen_up_to: int  # replies after this seq are the news


def reply_mail(context: MailContext) -> Mail:
    language = context.conversation.language or locale_language(context.visitor.locale) or "en"
    replies = [m for m in context.messages if m.role == Role.AGENT and m.seq > context.seen_up_to]
    rep = next((m.author_name for m in reversed(replies) if m.author_name), None)
    team = context.organization.widget_title or context.organization.name
    copy = _Copy(
        language=language,
        subject=word("mail_subject", language, name=team),
        intro=word("mail_intro", language, name=rep or team),
        replies=[m.text for m in replies],
        so_far=word("mail_so_far", language),
        lines=[(_speaker(m, language, team), m.text) for m in _transcript(context)],
        reopen=(word("mail_reopen", language), _reopen_link(context)),
        unsubscribe=(word("mail_unsubscribe", language), _unsubscribe_link(context, language)),
    )
    address = context.visitor.verified_email or context.visitor.email
    assert address is not None
    return Mail(
        to=address, subject=copy.subject, text=copy.text(), html=copy.html(),
        list_unsubscribe=copy.unsubscribe[1],
    )  # fmt: skip


@dataclass(frozen=True)
class _Copy:
    language: str
    subject: str
    intro: str
    replies: list[str]
    so_far: str
    lines: list[tuple[str, str]]
    reopen: tuple[str, str]
    unsubscribe: tuple[str, str]

    def text(self) -> str:
        parts = [self.intro, "", *(f"> {r}" for r in self.replies), ""]
        parts += [f"{self.reopen[0]}: {self.reopen[1]}", "", self.so_far]
        parts += [f"{who}: {said}" for who, said in self.lines]
        parts += ["", "--", f"{self.unsubscribe[0]}: {self.unsubscribe[1]}"]
        return "\n".join(parts) + "\n"

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"

    def html(self) -> str:
        replies = "".join(f"<blockquote>{_para(r)}</blockquote>" for r in self.replies)
        lines = "".join(f"<p><strong>{escape(w)}:</strong> {_para(s)}</p>" for w, s in self.lines)
        return (
            f'<!doctype html><html lang="{escape(self.language)}" dir="{self.direction}">'
            f"<body><p>{escape(self.intro)}</p>{replies}"
            f'<p><a href="{escape(self.reopen[1])}">{escape(self.reopen[0])}</a></p>'
            f"<h3>{escape(self.so_far)}</h3>{lines}<hr>"
            f'<p><small><a href="{escape(self.unsubscribe[1])}">'
            f"{escape(self.unsubscribe[0])}</a></small></p></body></html>"
        )


def _para(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _transcript(context: MailContext) -> list[Message]:
    return [m for m in context.messages if m.role in SHOWN_ROLES and m.text.strip()]


def _speaker(message: Message, language: str, team: str) -> str:
    if message.role == Role.VISITOR:
        return word("mail_you", language)
    return message.author_name or team


def _reopen_link(context: MailContext) -> str:
    conversation, settings = context.conversation, context.settings
    reopen = Reopen(conversation.id, conversation.visitor_id, conversation.organization_id)
    token = reopen_token(settings.secret_key.get_secret_value(), reopen)
    return reopen_url(_page(context), token)


def _page(context: MailContext) -> str:
    """Where the visitor chatted; else the organization's site; else relaydesk's own page."""
    if context.visitor.page_url:
        return context.visitor.page_url
    if context.organization.allowed_origins:
        return f"{context.organization.allowed_origins[0]}/"
    base = context.settings.public_base_url.rstrip("/")
    return f"{base}/demo?widget_key={context.organization.widget_key}"


def _unsubscribe_link(context: MailContext, language: str) -> str:
    settings = context.settings
    token = unsubscribe_token(
        settings.secret_key.get_secret_value(), Unsubscribe(context.visitor.id, language)
    )
    return unsubscribe_url(settings.public_base_url, token)
