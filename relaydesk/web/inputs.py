"""What a request may carry, parsed at the edge: JSON bodies of exactly the document's types,
and text a database can store."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def unstorable(text: str) -> str | None:
    """Why no database would store `text`, or None. PostgreSQL refuses a NUL character, and no
    database takes an unpaired surrogate (JSON's `\\ud800` makes one): either used to reach
    the database and answer 500."""
    if "\x00" in text:
        return "text cannot hold a NUL character"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "text cannot hold an unpaired surrogate"
    return None


def storable(text: str) -> str:
    reason = unstorable(text)
    if reason:
        raise ValueError(reason)
    return text


Text = Annotated[str, AfterValidator(storable)]


class Body(BaseModel):
    """A JSON body: strict, so `{"on": 0}` or `{"score": "5"}` is a 422, as the document says,
    instead of being taken for `false` and `5`."""

    model_config = ConfigDict(strict=True)
