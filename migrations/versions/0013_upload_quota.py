"""Upload quotas and the sweep of unattached uploads: what a visitor, and an organization,
uploaded in the last 24 hours is summed on every upload

Revision ID: 0013_upload_quota
Revises: 0012_languages
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0013_upload_quota"
down_revision = "0012_languages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attachments_visitor_created", "attachments", ["visitor_id", "created_at"])
    op.create_index(
        "ix_attachments_organization_created", "attachments", ["organization_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_attachments_organization_created", "attachments")
    op.drop_index("ix_attachments_visitor_created", "attachments")
