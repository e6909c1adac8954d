"""Opaque page cursors.

Chronological lists: `k<last id>` (an id keyset: ids grow with publish time, so new posts only
ever appear before the first page and never shift later pages). For-you: `s<snapshot id>.<offset>`
(a frozen ranked list, see selectors/foryou.py).
"""

import base64
import binascii
from dataclasses import dataclass

from core.errors import DomainError
from core.ids import parse_id


@dataclass(frozen=True)
class SnapshotCursor:
    snapshot_id: int
    offset: int


def _invalid() -> DomainError:
    return DomainError("feed.invalid_cursor", "The cursor is not valid; start from the top.")


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _invalid() from exc


def keyset_encode(last_id: int) -> str:
    return _encode(f"k{last_id}")


def keyset_decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    text = _decode(cursor)
    last_id = parse_id(text[1:]) if text.startswith("k") else None
    if last_id is None:
        raise _invalid()
    return last_id


def snapshot_encode(snapshot_id: int, offset: int) -> str:
    return _encode(f"s{snapshot_id}.{offset}")


def snapshot_decode(cursor: str | None) -> SnapshotCursor | None:
    if not cursor:
        return None
    text = _decode(cursor)
    snapshot_text, _, offset_text = text[1:].partition(".")
    snapshot, offset = parse_id(snapshot_text), parse_id(offset_text)
    if not text.startswith("s") or snapshot is None or offset is None:
        raise _invalid()
    return SnapshotCursor(snapshot, offset)
