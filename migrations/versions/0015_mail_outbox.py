"""Mail jobs: an outbox job of no conversation names its organization, so a mail that could not
be sent shows on that organization's failed-jobs page

Revision ID: 0015_mail_outbox
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_mail_outbox"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox_jobs", sa.Column("organization_id", sa.String(32), nullable=True))
    op.create_index("ix_outbox_jobs_organization_id", "outbox_jobs", ["organization_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_jobs_organization_id", "outbox_jobs")
    op.drop_column("outbox_jobs", "organization_id")
