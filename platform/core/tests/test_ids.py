"""Ids in client text: ASCII digits of a bigint's size, nothing else."""

import pytest

from core.ids import parse_id


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0), ("42", 42), ("9" * 18, int("9" * 18)),
    ("", None), ("9" * 19, None), ("\u00b2", None), ("\u0663", None), ("-1", None),
    (" 7", None), ("7\n", None), ("1.0", None), ("x", None),
])
def test_parse_id(text, expected) -> None:
    assert parse_id(text) == expected
