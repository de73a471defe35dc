"""Job payloads are types in the code and the same JSON objects in the outbox as before, so
rows queued by an earlier version still run."""

from relaydesk.jobs import AiReply, FilesDelete, MessageStatus, dump, load


def test_a_payload_is_stored_as_the_json_object_earlier_versions_wrote() -> None:
    assert dump(AiReply("c1", "m1")) == {"conversation_id": "c1", "message_id": "m1"}
    assert dump(MessageStatus("SENT", "m1")) == {"message_id": "m1", "status": "SENT"}
    assert dump(FilesDelete(["a", "b"])) == {"keys": ["a", "b"]}


def test_a_row_queued_by_an_earlier_version_is_read_as_its_type() -> None:
    row = {"status": "FAILED", "hubspot_id": "h1", "organization_id": "o1", "error_message": "x"}
    job = load(MessageStatus, row)
    assert (job.status, job.hubspot_id, job.organization_id, job.message_id) == (
        "FAILED", "h1", "o1", None,
    )  # fmt: skip
    assert load(AiReply, {"conversation_id": "c1", "message_id": "m1", "later": 1}) == AiReply(
        "c1", "m1"
    )
