"""UTC datetimes as SQLite holds them: the text SQLAlchemy's DATETIME writes for `UTCDateTime`,
`YYYY-MM-DD HH:MM:SS.ffffff` in UTC, and back.

Both run for every datetime a statement binds or a row returns, several times a rep reply, so
each is the cheapest spelling of the two that read alike: `%`-formatting the fields (not
`astimezone`, `replace(tzinfo=None)` and `isoformat`: a keyword-parsed `replace` and a `printf`
per field made a rep reply spend a tenth of its instructions here, `python -m bench replay
--count-instructions`), and `fromisoformat` of the text with its offset (not `replace(tzinfo=)`).
The text of the last datetime written is kept: one reply writes the same `now` to several
columns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Processor = Callable[[Any], Any]

TEXT = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
_last: tuple[datetime | None, str | None] = (None, None)  # the last written, its text


def utc_text(value: datetime | None) -> str | None:
    global _last
    if value is None:
        return None
    last = _last
    if value is last[0]:
        return last[1]  # held in `_last`, so no new datetime can have its id
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
    text = TEXT % (
        value.year, value.month, value.day, value.hour, value.minute, value.second,
        value.microsecond,
    )  # fmt: skip
    _last = (value, text)
    return text


def utc_from_text(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value + "+00:00")
