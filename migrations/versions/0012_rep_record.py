"""A record a rep can act on: the visitor's first real question and the team's language on
each handoff, and the organization's team language in its handoff settings

Revision ID: 0012_rep_record
Revises: 0011
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_rep_record"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as table:
        table.add_column(sa.Column("question", sa.Text(), nullable=True))
        table.add_column(sa.Column("team_language", sa.String(16), nullable=True))
    with op.batch_alter_table("handoff_settings") as table:
        table.add_column(
            sa.Column("team_language", sa.String(16), nullable=False, server_default="en")
        )


def downgrade() -> None:
    with op.batch_alter_table("handoff_settings") as table:
        table.drop_column("team_language")
    with op.batch_alter_table("handoffs") as table:
        table.drop_column("team_language")
        table.drop_column("question")
