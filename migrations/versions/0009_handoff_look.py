"""How an organization's handoffs look in HubSpot: the AI's sender name and the ticket tag

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (
    ("ai_sender_name", 100),
    ("ticket_tag_property", 100),
    ("ticket_tag_value", 100),
)


def upgrade() -> None:
    with op.batch_alter_table("hubspot_connections") as table:
        for name, length in COLUMNS:
            table.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hubspot_connections") as table:
        for name, _ in COLUMNS:
            table.drop_column(name)
