"""Ids in client text: ASCII digits of a bigint's size, nothing else."""

from uuid import UUID

import pytest

from core.ids import parse_id, parse_uuid


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0), ("42", 42), ("9" * 18, int("9" * 18)),
    ("", None), ("9" * 19, None), ("\u00b2", None), ("\u0663", None), ("-1", None),
    (" 7", None), ("7\n", None), ("1.0", None), ("x", None),
])
def test_parse_id(text, expected) -> None:
    assert parse_id(text) == expected


VIDEO = UUID("0f8fad5b-d9cb-469f-a165-70867728950e")


@pytest.mark.parametrize(("text", "expected"), [
    (str(VIDEO), VIDEO), (VIDEO.hex, VIDEO), (str(VIDEO).upper(), VIDEO),
    ("", None), ("not-a-uuid", None), (VIDEO.hex[:-1], None), (VIDEO.hex + "0", None),
    ("1", None), ("\u0663" * 32, None),
])
def test_parse_uuid(text, expected) -> None:
    """Report targets and path ids: a UUID or nothing (never a ValueError, never a 500)."""
    assert parse_uuid(text) == expected
