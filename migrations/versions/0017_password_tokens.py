"""Password links: single-use tokens (stored as their SHA-256) to reset a password or accept an
invitation

Revision ID: 0017_password_tokens
Revises: 0016_privacy
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_password_tokens"
down_revision = "0016_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_tokens",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("organization_id", sa.String(32), sa.ForeignKey("organizations.id"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )  # fmt: skip
    op.create_index("ix_password_tokens_user_id", "password_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_password_tokens_user_id", "password_tokens")
    op.drop_table("password_tokens")
