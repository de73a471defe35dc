"""The outbox's claim index: (state, id) instead of (state, run_after), so a claim walks the
pending jobs in id order and stops at its limit instead of sorting the whole backlog

Revision ID: 0019_outbox_waiting
Revises: 0018_office_hours
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0019_outbox_waiting"
down_revision = "0018_office_hours"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_jobs") as table:
        table.drop_index("ix_outbox_claim")
        table.create_index("ix_outbox_waiting", ["state", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_jobs") as table:
        table.drop_index("ix_outbox_waiting")
        table.create_index("ix_outbox_claim", ["state", "run_after"], unique=False)
