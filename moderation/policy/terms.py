"""Term lists are data: a Term is one phrase with its category and optional action override."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .categories import Action, Category

DEFAULT_TERMS_PATH = Path(__file__).with_name("default_terms.json")


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    category: Category
    action: Action | None = None
    # Stable identifier shown to moderators; derived from category and text when empty.
    id: str = ""

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
    )


def load_terms(path: Path = DEFAULT_TERMS_PATH) -> tuple[Term, ...]:
    """Reads {"terms": [{"id", "text", "category", "action"?}, ...]}."""
    with path.open(encoding="utf-8") as fh:
        payload = json.load(fh)
    return tuple(term_from_dict(item) for item in payload["terms"])
