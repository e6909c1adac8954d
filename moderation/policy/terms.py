"""Term lists are data: a Term is one phrase with its category, action and language.

The shipped lists live in terms/<lang>.tsv, one file per language, one term per line:

    category <TAB> action <TAB> text [<TAB> match [<TAB> id]]

action is block, review or allow ("allow" terms only count towards COMBINED_RULES, e.g. "child"
or "gun"; exception terms mask the hits inside them, e.g. 裸足 over 裸). match is empty (the
script's default), "exact" (whole words, no inflection), "word" (whole words with the
language's inflection) or "infix" (anywhere inside words). Lines starting with # are comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .categories import Action, Category

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

TERMS_DIR = Path(__file__).with_name("terms")
# Kept as the name other code imports: the shipped term lists, now a folder of TSV files.
DEFAULT_TERMS_PATH = TERMS_DIR
MATCH_MODES = frozenset({"", "exact", "word", "infix"})
# The languages with a term file; a console-added term may name one of them.
TERM_LANGUAGES = tuple(sorted(path.stem for path in TERMS_DIR.glob("*.tsv")))
RULE_ID_MAX = 120


class TermFileError(ValueError):
    """A term file line that cannot be loaded; says which file and line."""


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    category: Category
    action: Action | None = None
    # Stable identifier shown to moderators; derived from category and text when empty.
    id: str = ""
    # Language code of the term's file ("ja", "zh-Hans"...); picks the inflection rules.
    lang: str = ""
    # One of MATCH_MODES; "" lets the engine pick by script and language.
    match: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", f"{self.category}:{self.text}")


def owner_rule_terms(phrases: Iterable[str], *, rule_id: str) -> tuple[Term, ...]:
    """Terms for a cameo owner's restriction; the id names the rule, never its words."""
    return tuple(
        Term(text=phrase, category=Category.OWNER_RULE, id=f"{rule_id}#{n}")
        for n, phrase in enumerate(phrases)
    )


def term_from_dict(data: Mapping[str, Any]) -> Term:
    action = data.get("action")
    return Term(
        text=str(data["text"]),
        category=Category(data["category"]),
        action=Action(action) if action else None,
        id=str(data.get("id", "")),
        lang=str(data.get("lang", "")),
        match=str(data.get("match", "")),
    )


def _slug(text: str) -> str:
    slug = re.sub(r"[\W_]+", "-", text.lower()).strip("-")
    # Emoji and symbols have no word characters: name them by code point.
    return slug or "u" + "-".join(f"{ord(ch):x}" for ch in text if not ch.isspace())


def shipped_rule_id(category: str, lang: str, text: str) -> str:
    """English ids keep the original scheme ("sexual.nude"); others carry their language."""
    slug = _slug(text)
    rule_id = f"{category}.{slug}" if lang == "en" else f"{category}.{lang}-{slug}"
    return rule_id[:RULE_ID_MAX]


def _parse_line(line: str, *, lang: str, where: str) -> Term:
    cells = line.rstrip("\n").split("\t")
    if len(cells) < 3 or len(cells) > 5:
        raise TermFileError(f"{where}: expected category, action, text[, match[, id]]")
    category, action, text = (cell.strip() for cell in cells[:3])
    match = cells[3].strip() if len(cells) > 3 else ""
    rule_id = cells[4].strip() if len(cells) > 4 else ""
    try:
        parsed_category = Category(category)
        parsed_action = Action(action)
    except ValueError as exc:
        raise TermFileError(f"{where}: {exc}") from None
    if parsed_category is Category.OWNER_RULE:
        raise TermFileError(f"{where}: owner rules come from cameo settings, not term files")
    if match not in MATCH_MODES:
        raise TermFileError(f"{where}: match must be one of {sorted(MATCH_MODES)}")
    if not text:
        raise TermFileError(f"{where}: empty text")
    return Term(text=text, category=parsed_category, action=parsed_action,
                id=rule_id or shipped_rule_id(category, lang, text), lang=lang, match=match)


def load_term_file(path: Path) -> tuple[Term, ...]:
    lang = path.stem
    terms = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            terms.append(_parse_line(line, lang=lang, where=f"{path.name}:{number}"))
    return tuple(terms)


def load_terms(path: Path = DEFAULT_TERMS_PATH) -> tuple[Term, ...]:
    """Every term of a folder of <lang>.tsv files, or of a legacy {"terms": [...]} JSON file.

    Raises TermFileError for a malformed line or an id used twice.
    """
    if path.suffix == ".json":
        with path.open(encoding="utf-8") as fh:
            return tuple(term_from_dict(item) for item in json.load(fh)["terms"])
    terms: list[Term] = []
    seen: dict[str, str] = {}
    for file in sorted(path.glob("*.tsv")):
        for term in load_term_file(file):
            if term.id in seen:
                raise TermFileError(f"{file.name}: id {term.id!r} already used in {seen[term.id]}")
            seen[term.id] = file.name
            terms.append(term)
    return tuple(terms)
