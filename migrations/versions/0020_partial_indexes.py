"""Partial indexes: the unique keys of messages (client id, answered message, HubSpot id) and the
organization indexes of webhook deliveries and outbox jobs leave out the rows whose column is
NULL. Most rows have none, nothing looks a NULL up, and each entry cost a page write per insert.

Revision ID: 0020_partial_indexes
Revises: 0019_outbox_waiting
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_partial_indexes"
down_revision = "0019_outbox_waiting"
branch_labels = None
depends_on = None

# The names PostgreSQL gave the unnamed constraints of 0001; on SQLite, the names batch mode
# gives them when it rebuilds the table, so that they can be dropped by name there too.
UNNAMED = {"uq": "%(table_name)s_%(column_0_N_name)s_key"}
MESSAGE_KEYS = {
    "messages_conversation_id_client_id_key": ("uq_messages_conversation_client_id",
                                               ["conversation_id", "client_id"]),
    "messages_reply_to_id_key": ("uq_messages_reply_to_id", ["reply_to_id"]),
    "uq_messages_hubspot_message_id": ("uq_messages_hubspot_message_id", ["hubspot_message_id"]),
}  # fmt: skip
ORGANIZATION_INDEXES = {
    "webhook_deliveries": "ix_webhook_deliveries_organization_id",
    "outbox_jobs": "ix_outbox_jobs_organization_id",
}


def where_set(column: str) -> dict[str, sa.TextClause]:
    present = sa.text(f"{column} IS NOT NULL")
    return {"sqlite_where": present, "postgresql_where": present}


def upgrade() -> None:
    with op.batch_alter_table("messages", naming_convention=UNNAMED) as table:
        for constraint in MESSAGE_KEYS:
            table.drop_constraint(constraint, type_="unique")
    for name, columns in MESSAGE_KEYS.values():
        op.create_index(name, "messages", columns, unique=True, **where_set(columns[-1]))
    for table_name, name in ORGANIZATION_INDEXES.items():
        op.drop_index(name, table_name)
        op.create_index(name, table_name, ["organization_id"], **where_set("organization_id"))


def downgrade() -> None:
    for table_name, name in ORGANIZATION_INDEXES.items():
        op.drop_index(name, table_name)
        op.create_index(name, table_name, ["organization_id"])
    for name, _columns in MESSAGE_KEYS.values():
        op.drop_index(name, "messages")
    with op.batch_alter_table("messages") as table:
        for constraint, (_name, columns) in MESSAGE_KEYS.items():
            table.create_unique_constraint(constraint, columns)
