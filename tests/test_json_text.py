"""`json_text.compact`: the text `json.JSONEncoder` writes with compact separators, its options
kept (ASCII or not, NaN allowed or refused, what is not JSON refused)."""

from __future__ import annotations

import json
import math

import pytest

from relaydesk.json_text import compact

VALUES = [
    [], {}, "text", 7, None, True, 2.5,
    {"type": "message.created", "message": {"text": "é \u2028 \n \"q\"", "seq": 3, "sources": []}},
    {"nested": [[{"a": [None, False, -1e300]}]]}, {"inf": math.inf},
]  # fmt: skip


def test_the_text_is_the_json_encoders() -> None:
    for ensure_ascii in (True, False):
        ours = compact(ensure_ascii=ensure_ascii)
        theirs = json.JSONEncoder(ensure_ascii=ensure_ascii, separators=(",", ":")).encode
        for value in VALUES:
            assert ours(value) == theirs(value)
            assert json.loads(ours(value)) == value


def test_what_json_refuses_is_refused() -> None:
    strict = compact(allow_nan=False)
    with pytest.raises(ValueError):
        strict({"x": math.nan})
    with pytest.raises(TypeError):
        compact()({"x": object()})
