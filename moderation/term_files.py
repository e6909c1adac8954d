"""Loads the shipped term files (moderation/policy/terms/<lang>.tsv) into the Term table.

Shipped rows are those with no created_by; console-added terms (created_by set) are never
touched. Used by the seeding migrations and by `manage.py moderation_terms_sync`; it takes
the model classes so a migration can pass its historical ones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moderation.policy.terms import DEFAULT_TERMS_PATH, Term, load_terms

if TYPE_CHECKING:
    from pathlib import Path

BATCH = 1000


@dataclass(frozen=True, slots=True)
class SyncResult:
    created: int
    updated: int
    deactivated: int
    unchanged: int


def _row_values(term: Term) -> dict[str, str]:
    return {"text": term.text, "category": str(term.category),
            "action": str(term.action) if term.action else "", "lang": term.lang,
            "match": term.match}


def term_files_sync(*, term_model: Any, revision_model: Any, path: Path = DEFAULT_TERMS_PATH,
                    update: bool = False, prune: bool = False) -> SyncResult:
    """Creates the shipped terms missing from the table.

    Existing shipped rows keep a moderator's edits (action, active) unless `update`, which
    rewrites them from the files; rows that only lack a language get it either way, so
    terms seeded before languages existed gain their inflection rules. `prune` deactivates
    shipped rows whose term left the files. The files are parsed in full before anything is
    written: a malformed file raises TermFileError and changes nothing.
    """
    shipped = {term.id: term for term in load_terms(path)}
    # All rows in one query: an IN list of every shipped id would pass SQLite's limits.
    rows = {row.rule_id: row for row in term_model.objects.all()}
    fields = ["text", "category", "action", "lang", "match"]
    new_rows, changed = [], []
    for rule_id, term in shipped.items():
        row = rows.get(rule_id)
        values = _row_values(term)
        if row is None:
            new_rows.append(term_model(rule_id=rule_id, **values))
        elif row.created_by_id is None and (update or (not row.lang and term.lang)):
            keep = values if update else {"lang": term.lang, "match": term.match}
            if any(getattr(row, name) != value for name, value in keep.items()):
                for name, value in keep.items():
                    setattr(row, name, value)
                changed.append(row)
    term_model.objects.bulk_create(new_rows, batch_size=BATCH)
    term_model.objects.bulk_update(changed, fields, batch_size=BATCH)
    deactivated = 0
    if prune:
        deactivated = (term_model.objects.filter(created_by__isnull=True, active=True)
                       .exclude(rule_id__in=list(shipped)).update(active=False))
    if new_rows or changed or deactivated:
        revision_model.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})
    return SyncResult(len(new_rows), len(changed), deactivated,
                      len(shipped) - len(new_rows) - len(changed))
