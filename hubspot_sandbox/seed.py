"""The portal every sandbox starts with: reps, an inbox, a ticket pipeline, standard properties."""

from __future__ import annotations

from typing import Any

from hubspot_sandbox.records import Inbox, Owner, Property

OWNERS: tuple[tuple[str, int, str, str, str], ...] = (
    ("52001234", 3892666, "sam.rivera@sandbox.example", "Sam", "Rivera"),
    ("52001235", 3892667, "alex.chen@sandbox.example", "Alex", "Chen"),
)

INBOXES: tuple[tuple[str, str, str], ...] = (
    ("481939", "Support inbox", "INBOX"),
    ("481940", "Help desk", "HELP_DESK"),
)

TICKET_STAGES: tuple[tuple[str, str, str], ...] = (
    ("1", "New", "OPEN"),
    ("2", "Waiting on contact", "OPEN"),
    ("3", "Waiting on us", "OPEN"),
    ("4", "Closed", "CLOSED"),
)

PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")

# (object type, name, type, fieldType, group, enumeration values)
STANDARD_PROPERTIES: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("contacts", "email", "string", "text", "contactinformation", ()),
    ("contacts", "firstname", "string", "text", "contactinformation", ()),
    ("contacts", "lastname", "string", "text", "contactinformation", ()),
    ("contacts", "phone", "string", "phonenumber", "contactinformation", ()),
    ("contacts", "company", "string", "text", "contactinformation", ()),
    ("contacts", "website", "string", "text", "contactinformation", ()),
    (
        "contacts",
        "lifecyclestage",
        "enumeration",
        "radio",
        "contactinformation",
        ("subscriber", "lead", "customer", "other"),
    ),
    ("contacts", "hubspot_owner_id", "enumeration", "select", "contactinformation", ()),
    ("tickets", "subject", "string", "text", "ticketinformation", ()),
    ("tickets", "content", "string", "textarea", "ticketinformation", ()),
    ("tickets", "hs_pipeline", "enumeration", "select", "ticketinformation", ()),
    ("tickets", "hs_pipeline_stage", "enumeration", "select", "ticketinformation", ()),
    ("tickets", "hs_ticket_priority", "enumeration", "select", "ticketinformation", PRIORITIES),
    ("tickets", "hubspot_owner_id", "enumeration", "select", "ticketinformation", ()),
    (
        "tickets",
        "source_type",
        "enumeration",
        "select",
        "ticketinformation",
        ("CHAT", "EMAIL", "FORM", "PHONE"),
    ),
    ("tickets", "hs_ticket_category", "enumeration", "checkbox", "ticketinformation", ()),
    ("notes", "hs_note_body", "string", "html", "engagement", ()),
    ("notes", "hs_timestamp", "datetime", "date", "engagement", ()),
    ("notes", "hubspot_owner_id", "enumeration", "select", "engagement", ()),
    ("notes", "hs_attachment_ids", "enumeration", "checkbox", "engagement", ()),
)

# Set by HubSpot itself; always readable, never refused on write.
READ_ONLY_PROPERTIES = ("hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate")


def owners() -> list[Owner]:
    return [Owner(*row) for row in OWNERS]


def inboxes(now: float) -> list[Inbox]:
    return [Inbox(id, name, kind, now) for id, name, kind in INBOXES]


def standard_properties(now: float) -> list[Property]:
    return [
        Property(
            object_type=object_type,
            name=name,
            label=name,
            type=kind,
            field_type=field_type,
            group_name=group,
            options=[option(value, i) for i, value in enumerate(values)],
            created_at=now,
            hubspot_defined=True,
        )
        for object_type, name, kind, field_type, group, values in STANDARD_PROPERTIES
    ]


def option(value: str, order: int) -> dict[str, Any]:
    return {"label": value.title(), "value": value, "displayOrder": order, "hidden": False}


def ticket_pipeline() -> dict[str, Any]:
    """The default ticket pipeline; times are filled in by the shape that renders it."""
    return {
        "id": "0",
        "label": "Support Pipeline",
        "displayOrder": 0,
        "stages": [
            {"id": id, "label": label, "displayOrder": i, "metadata": {"ticketState": state}}
            for i, (id, label, state) in enumerate(TICKET_STAGES)
        ],
    }
