"""HubSpot ids on our rows; inbound webhook deliveries

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visitors") as batch_op:
        batch_op.add_column(sa.Column("hubspot_contact_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("hubspot_contact_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("hubspot_thread_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("hubspot_ticket_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("hubspot_note_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_conversations_hubspot_thread_id", ["hubspot_thread_id"], unique=False
        )
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("hubspot_message_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_messages_hubspot_message_id", ["hubspot_message_id"])
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.add_column(sa.Column("hubspot_file_id", sa.String(length=32), nullable=True))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_organization_id", "webhook_deliveries", ["organization_id"]
    )
    op.create_index("ix_webhook_deliveries_state", "webhook_deliveries", ["state", "received_at"])


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.drop_column("hubspot_file_id")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint("uq_messages_hubspot_message_id", type_="unique")
        batch_op.drop_column("hubspot_message_id")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_hubspot_thread_id")
        for column in (
            "hubspot_note_id",
            "hubspot_ticket_id",
            "hubspot_thread_id",
            "hubspot_contact_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("visitors") as batch_op:
        batch_op.drop_column("hubspot_contact_id")
