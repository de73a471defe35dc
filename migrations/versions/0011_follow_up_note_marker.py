"""Private-app mode: the CRM note a message written after the handoff became, and when its
creation started (found again after a crash, not written twice)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.add_column(sa.Column("hubspot_note_id", sa.String(64), nullable=True))
        table.add_column(
            sa.Column("hubspot_note_started_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.drop_column("hubspot_note_started_at")
        table.drop_column("hubspot_note_id")
