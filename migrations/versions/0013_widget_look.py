"""The widget's look: title, subtitle, avatar, launcher icon, theme, notification sound

Revision ID: 0013_widget_look
Revises: 0012_languages
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_widget_look"
down_revision = "0012_languages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as table:
        table.add_column(
            sa.Column("widget_title", sa.String(100), nullable=False, server_default="")
        )
        table.add_column(
            sa.Column("widget_subtitle", sa.String(200), nullable=False, server_default="")
        )
        table.add_column(sa.Column("avatar_key", sa.String(200), nullable=True))
        table.add_column(
            sa.Column("launcher_icon", sa.String(16), nullable=False, server_default="chat")
        )
        table.add_column(
            sa.Column("widget_theme", sa.String(8), nullable=False, server_default="light")
        )
        table.add_column(
            sa.Column("notify_sound", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations") as table:
        for column in (
            "notify_sound",
            "widget_theme",
            "launcher_icon",
            "avatar_key",
            "widget_subtitle",
            "widget_title",
        ):
            table.drop_column(column)
