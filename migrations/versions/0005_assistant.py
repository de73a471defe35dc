"""assistant: handoff settings and AI actions

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_settings",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("on_request", sa.Boolean(), nullable=False),
        sa.Column("on_frustration", sa.Boolean(), nullable=False),
        sa.Column("on_unproductive", sa.Boolean(), nullable=False),
        sa.Column("on_cannot_answer", sa.Boolean(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("organization_id"),
    )
    op.create_table(
        "ai_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("url_template", sa.Text(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("headers_enc", sa.Text(), nullable=True),
        sa.Column("component", sa.String(length=100), nullable=True),
        sa.Column("text_template", sa.Text(), nullable=False),
        sa.Column("triggers", sa.JSON(), nullable=False),
        sa.Column("allow_private_network", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "name"),
    )
    with op.batch_alter_table("ai_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ai_actions_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ai_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_actions_organization_id"))
    op.drop_table("ai_actions")
    op.drop_table("handoff_settings")
