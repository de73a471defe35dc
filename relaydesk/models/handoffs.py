"""The handoff record: why a conversation went to a person, as the rep and the admin see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, new_id, utcnow
from .states import Requester


class Handoff(Base):
    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), unique=True)
    # user_requested_human_assistance, insufficient_knowledge, insufficient_tools,
    # prohibited_topic, frustration, unproductive_conversation, ai_error
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    sentiment: Mapped[str | None] = mapped_column(String(16), default=None)
    sentiment_score: Mapped[float | None] = mapped_column(Float, default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    topic: Mapped[str | None] = mapped_column(String(300), default=None)
    requested_by: Mapped[Requester] = mapped_column(String(16), default=Requester.AI)
    # The visitor's first real question (not a greeting): the ticket's subject. NULL on
    # handoffs recorded before it was kept.
    question: Mapped[str | None] = mapped_column(Text, default=None)
    # The organization's team language when it handed off: the summary's labels are in it,
    # and the rep's note words the reasons in it (NULL: English).
    team_language: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # live (in office hours) | away (outside them, to the team anyway) | email (outside them,
    # answered by email): `away_handoffs.py`. When the visitor was told nobody had picked up.
    route: Mapped[str] = mapped_column(String(8), default="live")
    no_rep_told_at: Mapped[datetime | None] = mapped_column(default=None)
