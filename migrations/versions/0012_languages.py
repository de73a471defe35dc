"""Languages: the visitor's browser locale and each knowledge document's language

Revision ID: 0012_languages
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_languages"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visitors") as table:
        table.add_column(sa.Column("locale", sa.String(35), nullable=True))
    with op.batch_alter_table("knowledge_documents") as table:
        table.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("knowledge_documents") as table:
        table.drop_column("language")
    with op.batch_alter_table("visitors") as table:
        table.drop_column("locale")
