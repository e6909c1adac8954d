"""Labelled prompt files: language, category, expected action, text (TSV or CSV, a header row).

The whole file is validated before anything is scored, and every problem is reported with its
line number, so a moderator fixes the file once instead of one error per upload.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from moderation.policy import Action, Category
from moderation.policy.categories import SIGNAL_CATEGORIES

if TYPE_CHECKING:
    from pathlib import Path

# The languages the policy is measured in (issue 19): BCP 47 codes, in the order reports use.
LANGUAGES: tuple[str, ...] = (
    "ja", "zh-Hans", "zh-Hant", "ko", "en", "es", "pt", "fr", "de", "it", "nl", "pl", "ru",
    "uk", "tr", "ar", "fa", "he", "hi", "bn", "id", "ms", "vi", "th", "tl", "sv",
)
# Languages beyond issue 19's set, measured by the held-out files (heldout_dev.tsv,
# heldout_test.tsv): what users write in that nobody tuned the policy for at first.
MORE_LANGUAGES: tuple[str, ...] = (
    "sw", "am", "el", "cs", "sk", "ro", "hu", "fi", "da", "nb", "ur", "ta", "te", "mr", "ne",
    "sr", "sr-Latn", "hr", "bg", "lt", "ca", "az", "kk", "uz", "ka", "hy",
)
KNOWN_LANGUAGES: tuple[str, ...] = LANGUAGES + MORE_LANGUAGES
_LANGUAGE_BY_KEY = MappingProxyType({code.lower(): code for code in KNOWN_LANGUAGES})

# Categories a prompt may be labelled with: the policy's own, less the context signals
# (minor_context, suggestive, ...) and owner rules, which are never a prompt's label. An unknown
# label is an error; the label only groups figures (scoring never reads the engine's category).
_INTERNAL = SIGNAL_CATEGORIES | {Category.OWNER_RULE}
CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category if c not in _INTERNAL)

REQUIRED_COLUMNS = ("language", "category", "expected_action", "text")
# "variant" names the kind of evasion a prompt uses (spaced, leet, ...): figures per variant.
OPTIONAL_COLUMNS = ("variant",)
_COLUMN_ALIASES = MappingProxyType({"expected": "expected_action", "action": "expected_action",
                                    "lang": "language", "prompt": "text"})
DEFAULT_VARIANT = "plain"
_ACTIONS = frozenset(a.value for a in Action)
# The API's prompt limit (generation's serializers).
MAX_TEXT_CHARS = 4000
MAX_ERRORS_LISTED = 20


@dataclass(frozen=True, slots=True)
class EvalPrompt:
    line: int
    language: str
    category: str
    expected: Action
    text: str
    variant: str = DEFAULT_VARIANT

    @property
    def harmful(self) -> bool:
        """Block and review are both a catch: the label says the prompt must not pass."""
        return self.expected is not Action.ALLOW


class EvalFileError(ValueError):
    """A file that cannot be scored; `problems` are "line N: ..." sentences."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_ERRORS_LISTED]
        more = len(problems) - len(shown)
        super().__init__("; ".join(shown) + (f"; and {more} more" if more > 0 else ""))


def _column_name(raw: str) -> str:
    name = raw.strip().lower().replace(" ", "_").replace("-", "_")
    return _COLUMN_ALIASES.get(name, name)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EvalFileError([f"line {line}: not UTF-8 text (byte {exc.start})"]) from None


def _header(line: int, row: list[str]) -> list[str]:
    names = [_column_name(cell) for cell in row]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    unknown = [raw for raw, name in zip(row, names, strict=True)
               if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        problems.append(f"unexpected column(s) {', '.join(map(repr, unknown))}")
    if len(set(names)) != len(names):
        problems.append("a column appears twice")
    if problems:
        raise EvalFileError([
            f"line {line}: {'; '.join(problems)} (the header must name the columns "
            f"{', '.join(REQUIRED_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)})"])
    return names


def _prompt(line: int, fields: dict[str, str]) -> tuple[EvalPrompt | None, list[str]]:
    problems = []
    language = _LANGUAGE_BY_KEY.get(fields["language"].strip().lower())
    if language is None:
        problems.append(f"unknown language {fields['language']!r} "
                        f"(known: {', '.join(KNOWN_LANGUAGES)})")
    category = fields["category"].strip().lower()
    if category not in CATEGORIES:
        problems.append(f"unknown category {fields['category']!r} "
                        f"(known: {', '.join(CATEGORIES)})")
    action = fields["expected_action"].strip().lower()
    if action not in _ACTIONS:
        problems.append(f"unknown expected action {fields['expected_action']!r} "
                        f"(one of {', '.join(a.value for a in Action)})")
    text = fields["text"].strip()
    if not text:
        problems.append("empty text")
    elif len(text) > MAX_TEXT_CHARS:
        problems.append(f"text longer than {MAX_TEXT_CHARS} characters")
    variant = fields.get("variant", "").strip().lower() or DEFAULT_VARIANT
    if problems or language is None:
        return None, [f"line {line}: {p}" for p in problems]
    return EvalPrompt(line, language, category, Action(action), text, variant), []


def parse_eval_file(data: bytes, *, max_prompts: int | None = None) -> tuple[EvalPrompt, ...]:
    """All prompts of a file, or EvalFileError listing every bad line; nothing in between.

    TSV when the header line holds a tab, CSV otherwise (standard quoting for both)."""
    text = _decode(data)
    if not text.strip():
        raise EvalFileError(["line 1: the file is empty (expected a header row and prompts)"])
    first_line = text.lstrip().split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter="\t" if "\t" in first_line else ",")
    rows = ((reader.line_num, row) for row in reader if any(cell.strip() for cell in row))
    try:
        first = next(rows, None)
        if first is None:
            raise EvalFileError(["line 1: the file is empty (expected a header row and prompts)"])
        names = _header(*first)
        # Trailing optional columns may be left off a row ("...\ttext" without "\tvariant").
        shortest = len(names)
        while shortest and names[shortest - 1] in OPTIONAL_COLUMNS:
            shortest -= 1
        prompts: list[EvalPrompt] = []
        problems: list[str] = []
        for count, (line, row) in enumerate(rows, 1):
            if max_prompts is not None and count > max_prompts:
                raise EvalFileError([f"line {line}: more than {max_prompts} prompts"])
            if not shortest <= len(row) <= len(names):
                problems.append(f"line {line}: {len(row)} field(s), the header has {len(names)}")
                continue
            prompt, row_problems = _prompt(line, dict(zip(names, row, strict=False)))
            problems.extend(row_problems)
            if prompt is not None:
                prompts.append(prompt)
    except csv.Error as exc:
        raise EvalFileError([f"line {reader.line_num}: {exc}"]) from None
    if problems:
        raise EvalFileError(problems)
    if not prompts:
        raise EvalFileError(["line 2: no prompts after the header"])
    return tuple(prompts)


def read_eval_file(path: Path, *, max_prompts: int | None = None) -> tuple[EvalPrompt, ...]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EvalFileError([f"cannot read {path}: {exc.strerror or exc}"]) from None
    return parse_eval_file(data, max_prompts=max_prompts)
