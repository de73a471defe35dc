"""Privacy: the audit log, and each organization's retention of conversations

Revision ID: 0016_privacy
Revises: 0015_mail_outbox
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_privacy"
down_revision = "0015_mail_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("organization_id", sa.String(32), sa.ForeignKey("organizations.id"),
                  nullable=False),
        sa.Column("actor", sa.String(400), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )  # fmt: skip
    op.create_index(
        "ix_audit_entries_organization_at", "audit_entries", ["organization_id", "created_at"]
    )
    with op.batch_alter_table("organizations") as table:
        table.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        table.add_column(sa.Column("retention_ai_only_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organizations") as table:
        table.drop_column("retention_ai_only_days")
        table.drop_column("retention_days")
    op.drop_index("ix_audit_entries_organization_at", "audit_entries")
    op.drop_table("audit_entries")
