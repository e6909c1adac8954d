"""Ids in client-supplied text (cursors, report targets, query strings, path segments)."""

import re
from uuid import UUID

# ASCII digits only (str.isdigit also takes "²", which int() refuses) and at most 18 of them
# (longer numbers overflow the database's bigint ids): anything else is not an id.
_ID = re.compile(r"[0-9]{1,18}")


def parse_id(text: str) -> int | None:
    """The id `text` spells, or None."""
    return int(text) if _ID.fullmatch(text) else None


def parse_uuid(text: str) -> UUID | None:
    """The UUID `text` spells (hex, with or without dashes or braces), or None. ASCII only:
    uuid.UUID reads other scripts' digits too ("٣" * 32), so one id would have many spellings."""
    if not text.isascii():
        return None
    try:
        return UUID(text)
    except ValueError:
        return None
