"""Why HubSpot could not take a visitor's file (too large or of a type the custom channel does
not carry, or refused by HubSpot): the transcript names it instead of attaching it

Revision ID: 0012_refusal
Revises: 0011
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_refusal"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments") as table:
        table.add_column(sa.Column("hubspot_refusal", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as table:
        table.drop_column("hubspot_refusal")
