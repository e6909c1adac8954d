"""Text normalisation that defeats trivial evasion while keeping word boundaries.

Every character of the input maps to a short canonical string (cached per code point):

* NFKD + casefold: fullwidth forms, ligatures, math letters and accents fold to plain letters.
* combining marks are dropped (accents, "zalgo"), except the kana voicing marks, which
  distinguish Japanese words; format characters (zero-width space/joiner, BOM) vanish, so
  "nu\u200bde" joins into "nude".
* a small confusables table maps small capitals, leetspeak digits and symbols to letters. A
  token mixing Cyrillic (or Greek) and Latin look-alikes takes the script most of its letters
  are in (Cyrillic r + "ikachu" is Latin); a word written wholly in Cyrillic or Greek stays in
  its script, so its term file and stemmer can read it. "l", "1" and "I" all
  become "i": both the text and the terms go through this, so "k1ll", "kiII" and "kill"
  meet, at the price of a coarser alphabet.
* characters of scripts written without spaces (CJK, kana, Thai...) and emoji become their
  own tokens so a Latin word glued to them still has a boundary; Hangul, Arabic, Hebrew and
  Indic letters glued to Latin ones are split from them too ("오바마nude").
* everything else that is not a letter or digit is a separator.

Two views of the canonical text are matched:

* the word view: tokens joined by single spaces and padded, so Latin terms match whole words
  (" ass " never matches inside "class");
* the compact view: all separators removed, for "n u d e" / "n.u.d.e" and for unspaced
  scripts. Latin matches found only here are accepted when they start and end on token
  boundaries and their tokens average at most two characters: spaced-out letters pass, while
  "pen is" or "grape" (a substring inside a word) do not. Splitting a word in two long halves
  ("nud ity") therefore evades, which is the price of not flagging ordinary phrases.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from operator import methodcaller

KANA_VOICING = frozenset("\u3099\u309a")

# Look-alikes (after casefold) and leetspeak. Deliberately small: each entry costs precision.
# Written as escapes so the source shows which script each look-alike comes from.
CYRILLIC_LOOKALIKES = dict(zip(
    "\u0430\u0432\u0435\u0451\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443\u0445"
    "\u0456\u0457\u0458\u0455\u0501\u04cf",
    "abeekmhopctyxiijsdi", strict=True))
# Greek look-alikes fold to Latin only inside a token that mixes the scripts (a Greek rho in
# "\u03c1ikachu"); a word written wholly in Greek is Greek and stays so, for its term file and
# its stemmer.
GREEK_LOOKALIKES = dict(zip(
    "\u03b1\u03b2\u03b5\u03b7\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7",
    "abenikvoptux", strict=True))
# Small capitals ("\u0299\u1d0f\u1d0d\u0299") have no compatibility decomposition.
_SMALL_CAPS = dict(zip(
    "\u1d00\u0299\u1d04\u1d05\u1d07\ua730\u0262\u029c\u026a\u1d0a\u1d0b\u029f\u1d0d"
    "\u0274\u1d0f\u1d18\u0280\ua731\u1d1b\u1d1c\u1d20\u1d21\u028f\u1d22",
    "abcdefghijkimnoprstuvwyz", strict=True))
_LEET = dict(zip("013457@$", "oieastas", strict=True))
CONFUSABLES: dict[str, str] = {
    **_SMALL_CAPS, **_LEET,
    "\u0261": "g",  # Latin script g
    "\u0131": "i",  # Turkish dotless i: people type "ciplak" for "\u00e7\u0131plak"
    "l": "i",  # l, I and 1 are the same glyph in many fonts
}

_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x9FFF),  # CJK radicals, punctuation, kana, CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions
    # Emoji: pictographs used as words ("🍆💦", "🔫")
    (0x2600, 0x27BF),
    (0x1F000, 0x1FAFF),
)
_EMOJI_MODIFIERS = range(0x1F3FB, 0x1F400)  # skin tones: not part of the word
# Scripts whose combining marks are letters of the word, not optional accents.
# Indic scripts from Devanagari to Sinhala, Thai and Lao, Myanmar, Khmer.
_MARKED_SCRIPTS = ((0x0900, 0x0DFF), (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
_INDIC_NUKTAS = frozenset("\u093c\u09bc\u0a3c\u0abc\u0b3c\u0cbc")


def is_unspaced(char: str) -> bool:
    """True for characters of scripts that do not separate words with spaces."""
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _UNSPACED_RANGES)


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So" and ord(char) not in _EMOJI_MODIFIERS


def _is_word_mark(ch: str, category: str) -> bool:
    """Vowel signs and viramas that Thai and Indic words cannot be written without.

    Dropped like accents they would shrink Thai words to a few consonants that occur
    inside unrelated words (ปืน "gun" would become ปน "mix"); nuktas stay optional.
    """
    if category == "Mc":
        return True
    return category == "Mn" and ch not in _INDIC_NUKTAS and any(
        lo <= ord(ch) <= hi for lo, hi in _MARKED_SCRIPTS)


def _canon_char(char: str) -> str:
    out: list[str] = []
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    for ch in folded:
        category = unicodedata.category(ch)
        word_mark = _is_word_mark(ch, category)
        if category == "Cf" or (category in ("Mn", "Me") and ch not in KANA_VOICING
                                and not word_mark):
            continue
        ch = CONFUSABLES.get(ch, ch)
        if ch in KANA_VOICING or ((ch.isalnum() or word_mark or _is_emoji(ch))
                                  and is_unspaced(ch)):
            out.append(f" {ch} ")
        elif ch.isalnum() or word_mark:
            out.append(ch)
        else:
            out.append(" ")
    return "".join(out)


_TABLE_MAX = 1 << 16


class _CanonTable(dict[int, str]):
    """str.translate table that fills itself lazily, one code point at a time."""

    def __missing__(self, code: int) -> str:
        value = _canon_char(chr(code))
        if len(self) < _TABLE_MAX:  # bounded: prompts full of rare code points can't grow it
            self[code] = value
        return value


_TABLE = _CanonTable()
for _code in range(128):
    _TABLE[_code]  # warm the ASCII entries


_CYRILLIC_TO_LATIN = str.maketrans(CYRILLIC_LOOKALIKES)
# A token holding both Latin and Cyrillic letters: a look-alike evasion.
_MIXED_TOKEN = re.compile(r"[^\s]*(?:[a-z][^\s]*[\u0400-\u04ff]|[\u0400-\u04ff][^\s]*[a-z])[^\s]*")
# Spaced scripts that people glue to Latin words without a space.
_GLUED = "\u0530-\u06ff\u0900-\u0dff\u10a0-\u11ff\u1200-\u137f"
_SCRIPT_BOUNDARY = re.compile(f"(?<=[a-z0-9])(?=[{_GLUED}])|(?<=[{_GLUED}])(?=[a-z0-9])")


# Reversed so that e and i come back as the common Cyrillic ie and Ukrainian i.
_LATIN_TO_CYRILLIC = str.maketrans(
    {latin: cyrillic for cyrillic, latin in reversed(CYRILLIC_LOOKALIKES.items())})
# Cyrillic letters without a Latin look-alike: a token holding one is a Cyrillic word.
_CYRILLIC_PROPER = re.compile(
    "[" + "".join(chr(c) for c in range(0x0400, 0x0500)
                  if chr(c) not in CYRILLIC_LOOKALIKES) + "]")


def _one_script(match: re.Match[str]) -> str:
    """A mixed token becomes Latin when every Cyrillic letter in it has a Latin look-alike
    (Cyrillic r, a, c + "e"), and Cyrillic when it holds a letter only Cyrillic has (a
    Russian word with one Latin o)."""
    token = match.group()
    if _CYRILLIC_PROPER.search(token):
        return token.translate(_LATIN_TO_CYRILLIC)
    return token.translate(_CYRILLIC_TO_LATIN)


_GREEK_TO_LATIN = str.maketrans(GREEK_LOOKALIKES)
_HAS_GREEK = re.compile("[\u0370-\u03ff]").search
_MIXED_GREEK_TOKEN = re.compile(
    r"[^\s]*(?:[a-z][^\s]*[\u0370-\u03ff]|[\u0370-\u03ff][^\s]*[a-z])[^\s]*")
_GREEK_PROPER = re.compile(
    "[" + "".join(chr(c) for c in range(0x0370, 0x0400)
                  if chr(c) not in GREEK_LOOKALIKES) + "]")


def _latin_greek(match: re.Match[str]) -> str:
    """A Latin word with Greek look-alikes in it becomes Latin; a Greek word holding a letter
    only Greek has is left alone."""
    token = match.group()
    return token if _GREEK_PROPER.search(token) else token.translate(_GREEK_TO_LATIN)


def _fold_scripts(folded: str) -> str:
    """Context rules the per-character table cannot express; keeps the character count."""
    if folded.isascii():
        return folded
    folded = _MIXED_TOKEN.sub(_one_script, folded)
    if _HAS_GREEK(folded):  # one cheap scan spares most prompts the token regex
        folded = _MIXED_GREEK_TOKEN.sub(_latin_greek, folded)
    return _SCRIPT_BOUNDARY.sub(" ", folded)


# One spaced-out letter of a spaced script (an Indic one with its vowel signs), or one
# Hangul syllable (jamo after NFKD): what
# "s e x" and "야 동" are written in. Unspaced scripts are left alone: every CJK character is
# its own token already and is matched inside words.
_SHORT_LETTER = ("(?:[a-z0-9\u0400-\u052f\u0590-\u06ff]"
                "|[\u0900-\u09ff][\u0900-\u0903\u093a-\u094f\u0981-\u0983\u09bc-\u09d7]*"
                "|[\u1100-\u1112][\u1161-\u1175][\u11a8-\u11c2]?)")
_SPACED_RUN = re.compile(f"(?<= ){_SHORT_LETTER}(?: {_SHORT_LETTER})+(?= )")


def _join_run(match: re.Match[str]) -> str:
    return match.group().replace(" ", "")


def joined_runs(word: str) -> str | None:
    """The word view with each run of spaced-out letters joined into one token ("s e x" ->
    "sex"), or None when there is none. The compact view catches long spaced words; this
    catches short ones and spaced inflections ("k i l l e d") through the word matchers.
    Positions map to the compact view by subtracting the spaces before them."""
    joined = _SPACED_RUN.sub(_join_run, word)
    return None if joined == word else joined


def canonical(text: str) -> str:
    """Canonical form: separators are single spaces, with a leading and trailing space."""
    return " " + " ".join(_fold_scripts(text.translate(_TABLE)).split()) + " "


def compact(text: str) -> str:
    """Canonical form with every separator removed."""
    return "".join(_fold_scripts(text.translate(_TABLE)).split())


@dataclass(frozen=True, slots=True)
class Views:
    """Both views of a text, plus what maps compact positions back to the source text.

    Built only when something matched: the fast path uses canonical() / compact() instead.
    """

    word: str
    compact: str
    # running count of compact characters after each source character
    src_ends: tuple[int, ...]
    # running count of compact characters after each token
    token_ends: tuple[int, ...]

    def source_index(self, position: int) -> int:
        """Index in the source text of the character behind a compact-view position."""
        return bisect_right(self.src_ends, position)

    def token(self, position: int) -> int:
        """Token number of a compact-view position."""
        return bisect_right(self.token_ends, position)

    def span(self, view: str, start: int, end: int) -> tuple[int, int]:
        """Maps [start, end) of a view back to [start, end) of the original text."""
        if view == "word":
            # Every space before a word-view position is one token gap the compact view lacks.
            start -= self.word.count(" ", 0, start)
            end -= self.word.count(" ", 0, end - 1)
        return self.source_index(start), self.source_index(end - 1) + 1


_drop_spaces = methodcaller("replace", " ", "")


def views(text: str) -> Views:
    # map() keeps the per-character work in C; this runs once per prompt that matched.
    pieces = list(map(_TABLE.__getitem__, map(ord, text)))
    # Only Latinising changes characters, one for one, so the pieces' lengths still hold.
    tokens = _fold_scripts("".join(pieces)).split()
    return Views(" " + " ".join(tokens) + " ", "".join(tokens),
                 tuple(accumulate(map(len, map(_drop_spaces, pieces)))),
                 tuple(accumulate(map(len, tokens))))
