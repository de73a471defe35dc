"""`new_id`: the ids of every row are random UUIDs (version 4) written as 32 hex digits."""

from __future__ import annotations

import re
import uuid

from relaydesk.models import new_id


def test_ids_are_version_4_uuids_in_32_lowercase_hex_digits() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for found in ids:
        assert re.fullmatch("[0-9a-f]{32}", found)
        parsed = uuid.UUID(found)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert parsed.hex == found


def test_the_random_bits_vary_in_every_place() -> None:
    """No hex digit is stuck, beside the version digit and the variant's top bits."""
    ids = [new_id() for _ in range(2000)]
    for place in range(32):
        seen = {found[place] for found in ids}
        if place == 12:
            assert seen == {"4"}
        elif place == 16:
            assert seen == set("89ab")
        else:
            assert len(seen) == 16
