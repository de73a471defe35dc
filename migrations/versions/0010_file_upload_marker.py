"""When an attachment's upload to HubSpot started (found again after a crash, not re-uploaded)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments") as table:
        table.add_column(
            sa.Column("hubspot_upload_started_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments") as table:
        table.drop_column("hubspot_upload_started_at")
