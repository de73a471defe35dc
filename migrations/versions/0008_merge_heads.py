"""Join the branches that parallel work added (accounts, HubSpot connection, assistant, sync)

Revision ID: 0008
Revises: 0003, 0004, 0005, 0007_sync
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0008"
down_revision = ("0003", "0004", "0005", "0007_sync")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
