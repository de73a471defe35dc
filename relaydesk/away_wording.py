"""What relaydesk says about office hours and in the email to a visitor who left, in the
conversation's language (`away_sentences/<language>.toml`; English where a language or a key
is missing)."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

SENTENCES_DIR = Path(__file__).parent / "away_sentences"
DEFAULT = "en"


@cache
def _tables() -> dict[str, dict[str, Any]]:
    return {
        path.stem: tomllib.loads(path.read_text(encoding="utf-8"))
        for path in SENTENCES_DIR.glob("*.toml")
    }


def word(key: str, language: str | None, **values: str) -> str:
    """The sentence `key` in `language` (else English), its {placeholders} filled in."""
    tables = _tables()
    table = tables.get(language or DEFAULT, {})
    text = table.get(key, tables[DEFAULT][key])
    return str(text).format(**values) if values else str(text)


def when(at: datetime, now: datetime, zone_name: str, language: str | None) -> str:
    """`Monday at 09:00 (Europe/Berlin time)`: a time in the office's zone, as the visitor's
    language writes it."""
    weekdays = _tables().get(language or DEFAULT, {}).get("weekdays") or _tables()[DEFAULT][
        "weekdays"
    ]
    values = {
        "weekday": weekdays[at.weekday()],
        "date": at.date().isoformat(),
        "time": at.strftime("%H:%M"),
        "zone": zone_name,
    }
    return word("soon" if at - now < timedelta(days=6) else "later", language, **values)
