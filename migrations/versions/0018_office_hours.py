"""Office hours and the visitor who left: the organization's hours, each handoff's route and
when the visitor was told nobody picked up, what the visitor's widget showed and what was
emailed, the visitor's unsubscribe and page, and an index for the scan of unread rep replies

Revision ID: 0018_office_hours
Revises: 0017_password_tokens
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_office_hours"
down_revision = "0017_password_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as table:
        table.add_column(sa.Column("office_hours", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("handoffs") as table:
        table.add_column(sa.Column("route", sa.String(8), nullable=False, server_default="live"))
        table.add_column(sa.Column("no_rep_told_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("conversations") as table:
        table.add_column(sa.Column("email_offered_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("read_seq", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("mailed_seq", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("visitors") as table:
        table.add_column(sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("page_url", sa.String(2000), nullable=True))
    op.create_index("ix_messages_role_created", "messages", ["role", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_role_created", "messages")
    with op.batch_alter_table("visitors") as table:
        table.drop_column("page_url")
        table.drop_column("unsubscribed_at")
    with op.batch_alter_table("conversations") as table:
        for column in ("mailed_at", "mailed_seq", "read_seq", "email_offered_at"):
            table.drop_column(column)
    with op.batch_alter_table("handoffs") as table:
        table.drop_column("no_rep_told_at")
        table.drop_column("route")
    with op.batch_alter_table("organizations") as table:
        table.drop_column("office_hours")
