"""Join the branches that parallel work added (attachment refusals, the rep's record, widget
look, upload quotas; the last two on the languages revision)

Revision ID: 0014
Revises: 0012_refusal, 0012_rep_record, 0013_widget_look, 0013_upload_quota
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0014"
down_revision = ("0012_refusal", "0012_rep_record", "0013_widget_look", "0013_upload_quota")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
