"""Normalisation: evasion folds onto the plain spelling; fast and offset views agree."""
# ruff: noqa: RUF001 - look-alike characters are what these tests feed in

import pytest

from moderation.policy.normalize import canonical, compact, views

SAMPLES = [
    "Ｎｕｄｅ photo", "n.u.d.e", "k1ll", "nu\u200bde", "ヌード写真", "ｶﾞｿﾘﾝ", "Café naïve",
    "class ass!", "spider-man", " ½ ß İstanbul ℌ", "", "   ", "a\u0301\u0301\u0301b", "x\ny\tz",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_offset_views_equal_fast_views(text: str) -> None:
    v = views(text)
    assert v.word == canonical(text)
    assert v.compact == compact(text)
    assert len(v.src_ends) == len(text)
    assert max(v.src_ends, default=0) == max(v.token_ends, default=0) == len(v.compact)


@pytest.mark.parametrize(("text", "expected"), [
    ("NUDE", " nude "),
    ("ｎｕｄｅ", " nude "),  # fullwidth
    ("nüdé", " nude "),  # accents
    ("n\u200bu\u200dd\ufeffe", " nude "),  # zero-width characters join
    ("n\u0443de", " nyde "),  # Cyrillic u is a look-alike of y, not u
    ("\u0440\u0430\u0441e", " pace "),  # Cyrillic r, a, c
    ("4$$", " ass "),
    ("sp1der-m4n", " spider man "),
    ("L0LITA", " ioiita "),
    ("kiII", " kiii "),  # capital I and l fold together
])
def test_canonical(text: str, expected: str) -> None:
    assert canonical(text) == expected


def test_unspaced_scripts_become_tokens_and_join_in_compact_view() -> None:
    assert canonical("ヌードnude") == " ヌ ー ト ゙ nude "
    assert compact("ヌ・ー・ド") == compact("ヌード")


def test_views_map_back_to_original_positions() -> None:
    text = "a N.U.D.E pic"
    v = views(text)
    start = v.compact.index("nude")
    assert v.span("compact", start, start + 4) == (2, 9)
    assert text[2:9] == "N.U.D.E"
    assert v.span("word", v.word.index("pic"), v.word.index("pic") + 3) == (10, 13)
    assert v.span("word", 1, 2) == (0, 1)
