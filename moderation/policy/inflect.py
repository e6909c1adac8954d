# ruff: noqa: RUF001, RUF003 - affixes are written in their own scripts
"""Per-language word stemming, so one listed form matches its inflections.

Every function here takes and returns canonical tokens (normalize.canonical), for the term
and for the text alike: what matters is that both sides meet, not that the stem is a word.
Snowball stemmers cover most spaced languages; the rest get small affix rules (Korean
particles, Hebrew prefixes, Ukrainian, Bengali and Tagalog endings). Languages written
without spaces (ja, zh, th) are matched inside words instead; Vietnamese does not inflect.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import snowballstemmer

from .normalize import canonical

Stemmer = Callable[[str], str]

SNOWBALL = {
    "en": "english", "es": "spanish", "pt": "portuguese", "fr": "french", "de": "german",
    "it": "italian", "nl": "dutch", "pl": "polish", "ru": "russian",
    "ar": "arabic", "fa": "persian", "hi": "hindi", "id": "indonesian", "ms": "indonesian",
    "sv": "swedish",
    "el": "greek", "cs": "czech", "ro": "romanian", "hu": "hungarian", "fi": "finnish",
    "da": "danish", "nb": "norwegian", "ta": "tamil", "ne": "nepali", "sr": "serbian",
    "lt": "lithuanian", "ca": "catalan", "hy": "armenian",
    # Close enough that the neighbour's rules fit: Croatian like Serbian, Slovak like Czech.
    "hr": "serbian", "sk": "czech",
}
# Languages whose rules strip prefixes too: a stem may sit anywhere inside the token.
PREFIXING = frozenset({"ar", "fa", "he", "tl"})
# Languages where names and titles decline or take particles ("путина", "오바마를").
DECLINING_NAMES = frozenset({"ru", "uk", "pl", "tr", "ko", "ar", "fa", "he", "hi", "bn", "tl",
                             "cs", "sk", "hr", "sr", "lt", "fi", "hu", "el", "bg", "ne", "ta"})
# Below this many characters an anchor ("the", "run") hits too many ordinary words; such terms match
# whole words only (list the inflected forms in the term file instead).
MIN_STEM = 4
_CACHE_MAX = 100_000


def _forms(*words: str) -> tuple[str, ...]:
    """Canonical spellings of affixes, longest first, so they compare with canonical tokens."""
    return tuple(sorted({canonical(w).strip() for w in words}, key=len, reverse=True))


# Korean: particles and verb endings glued to the word (오바마를, 총으로, 죽이는).
_KO_ENDINGS = _forms(
    "을", "를", "이", "가", "은", "는", "의", "에", "에서", "에게", "한테", "께", "께서", "와",
    "과",
    "도", "로", "으로", "만", "까지", "부터", "처럼", "보다", "이랑", "랑", "하고", "이나", "나",
    "들", "들이", "들을", "들은", "들의", "들과", "들이랑", "이다", "입니다", "이야", "야", "요",
    "다", "고", "\u11ab", "\u11af", "기", "게", "지", "면", "서", "어", "아", "여", "었다", "았다",
    "였다", "했다", "하는", "하다", "한", "할", "해", "해서", "하기", "하게", "시키는", "당하는",
    "당한", "되는", "된", "이는", "인", "스러운", "적인", "같은")
_UK_ENDINGS = _forms(
    "ого", "ому", "ими", "ами", "ях", "ів", "ою", "ею", "ий", "ій", "ої", "ем", "ом", "ам",
    "ах", "ти", "ть", "ла", "ли", "ло", "ти", "ють", "ють", "ать", "ить", "ує", "ють", "ні",
    "на", "не", "ну", "ий", "а", "я", "у", "ю", "е", "о", "є", "і", "и", "ь", "в")
# Turkish: case, plural, possessive and copula endings, in canonical spelling. Snowball's
# Turkish stemmer reads the real letters, but canonical() has already folded "l" and "ı" to
# "i" ("bombalar" -> "bombaiar"), so it no longer finds "-lar"; these rules are written for
# the folded form. Up to three rounds: "bomba-lar-ı-nı".
_TR_ENDINGS = _forms(
    "lar", "ler", "ları", "leri", "ların", "lerin", "lara", "lere", "larda", "lerde",
    "lardan", "lerden", "larla", "lerle", "dan", "den", "tan", "ten", "da", "de", "ta", "te",
    "nın", "nin", "nun", "nün", "ın", "in", "un", "ün", "ya", "ye", "yı", "yi", "yu", "yü",
    "yla", "yle", "la", "le", "sı", "si", "su", "sü",
    "ı", "i", "u", "ü", "ki", "dır", "dir", "dur", "dür", "tır", "tir", "tur", "tür", "ım",
    "im", "um", "üm", "mız", "miz", "yor", "ıyor", "iyor", "uyor", "üyor", "mak", "mek",
    "dı", "di", "du", "dü", "tı", "ti", "tu", "tü", "mış", "miş")
_HE_PREFIXES = frozenset("והבלמשכ")
_HE_SUFFIXES = _forms("ים", "ות", "ית", "ה", "ת")
_HE_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
_BN_ENDINGS = _forms(
    "গুলো", "গুলি", "দের", "টির", "টার", "ের", "এর", "কে", "টি", "টা", "রা", "তে", "র", "ে",
    "ও", "ই")
_TL_PREFIXES = _forms("pinaka", "nakaka", "nagpa", "magpa", "nang", "mang", "pang", "nag",
                      "mag", "pag", "ipa", "na", "ma", "ka", "i")
_TL_SUFFIXES = _forms("han", "hin", "an", "in")


def _strip_suffix(word: str, endings: tuple[str, ...], keep: int) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            return word[:-len(ending)]
    return word


def _korean(word: str) -> str:
    # Two rounds: 들 + 을, 당하 + 는. Tokens are jamo after canonical(), so keep >= 2.
    return _strip_suffix(_strip_suffix(word, _KO_ENDINGS, 2), _KO_ENDINGS, 2)


def _turkish(word: str) -> str:
    for _ in range(3):
        stripped = _strip_suffix(word, _TR_ENDINGS, 4)
        if stripped == word:
            break
        word = stripped
    return word


def _ukrainian(word: str) -> str:
    return _strip_suffix(word, _UK_ENDINGS, 3)


def _hebrew(word: str) -> str:
    word = word.translate(_HE_FINALS)
    for _ in range(2):  # ו + ה, ש + ב...
        if len(word) > 3 and word[0] in _HE_PREFIXES:
            word = word[1:]
    return _strip_suffix(word, _HE_SUFFIXES, 3)


def _bengali(word: str) -> str:
    return _strip_suffix(word, _BN_ENDINGS, 2)


def _tagalog(word: str) -> str:
    for prefix in _TL_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            word = word[len(prefix):]
            break
    if len(word) >= 6 and word[1:3] in ("um", "in"):  # p-um-atay, p-in-atay
        word = word[0] + word[3:]
    if len(word) >= 6 and word[:2] == word[2:4]:  # papatay: reduplicated first syllable
        word = word[2:]
    return _strip_suffix(word, _TL_SUFFIXES, 4)


_RULES: dict[str, Stemmer] = {
    "ko": _korean, "tr": _turkish, "uk": _ukrainian, "he": _hebrew, "bn": _bengali, "tl": _tagalog,
}


@cache
def stemmer_for(lang: str) -> Stemmer | None:
    """A cached stemmer for a language code, or None where words are matched as written."""
    if lang in _RULES:
        rule = _RULES[lang]
    elif lang in SNOWBALL:
        rule = snowballstemmer.stemmer(SNOWBALL[lang]).stemWord
    else:
        return None
    memo: dict[str, str] = {}

    def stem(word: str) -> str:
        found = memo.get(word)
        if found is None:
            if len(memo) >= _CACHE_MAX:  # prompts full of unique words can't grow it forever
                memo.clear()
            found = memo[word] = rule(word)
        return found

    return stem


def anchor(word: str, stem: str, *, prefixing: bool) -> str:
    """The part of `word` every inflection shares with the stem: what the automaton looks for.

    Suffix-only languages keep the word start (" kiii" for kill), so a hit must begin a
    token; prefixing ones may find it anywhere in a token (ال + stem).
    """
    if not prefixing:
        common = 0
        for a, b in zip(word, stem, strict=False):
            if a != b:
                break
            common += 1
        return " " + word[:common]
    best = ""
    for start in range(len(stem)):
        for end in range(len(stem), start + len(best), -1):
            if stem[start:end] in word:
                best = stem[start:end]
                break
    return best
