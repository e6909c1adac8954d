"""One shape for every lifecycle: a table of legal moves, a locked row, an audit record with
actor and reason, and a ConflictError on a move the table doesn't allow.

An app declares its lifecycle once, next to its model:

    GRANT = Lifecycle(name="cameo.grant", model=Grant, moves=GRANT_MOVES,
                      error_code="cameo.invalid_transition")

and changes the state only through it, inside its transaction:

    grant = GRANT.lock(pk=grant_id)
    GRANT.move(grant, Grant.Status.REMOVED, actor_id=user.pk, reason="owner_removed",
               also=["removed_at"])

Every move is recorded in `core.StateChange` unless the lifecycle names its own audit table
(`record`), as a video's `VideoTransition` or a reservation's ledger entry.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models

from .errors import ConflictError, NotFoundError
from .models import StateChange

M = TypeVar("M", bound=models.Model)
# (row after the move, from state, to state, actor id, reason)
Recorder = Callable[[M, str, str, int | None, str], None]


def row_or_404(rows: "models.QuerySet[M]", *, code: str, message: str,
               fields: dict[str, Any] | None = None) -> M:
    """The one row `rows` selects; none: a 404 with the caller's stable code (not
    DoesNotExist, which a view would answer with a 500)."""
    row = rows.first()
    if row is None:
        raise NotFoundError(code, message, fields=fields)
    return row


def row_lock_or_404(rows: "models.QuerySet[M]", *, code: str, message: str) -> M:
    """row_or_404, the row locked until the caller's transaction ends."""
    return row_or_404(rows.select_for_update(), code=code, message=message)


@dataclass(frozen=True)
class Lifecycle(Generic[M]):
    name: str  # "<app>.<noun>": the audit record's label
    model: type[M]
    moves: Mapping[str, frozenset[str]]
    error_code: str  # the stable code of the 409 an illegal move raises
    field: str = "status"
    record: Recorder[M] | None = None  # None: a core.StateChange row

    def allows(self, current: str, to: str) -> bool:
        return to in self.moves[current]

    def state_of(self, row: M) -> str:
        return str(getattr(row, self.field))

    def lock(self, **lookup: object) -> M:
        """The row, locked until the caller's transaction ends (DoesNotExist when absent)."""
        return self.model._default_manager.select_for_update().get(**lookup)

    def move(self, row: M, to: str, *, actor_id: int | None, reason: str,
             also: Iterable[str] = ()) -> str:
        """Move a row the caller has locked; saves the state and the fields in `also` the
        caller set, records the move, and returns the state it left."""
        current = self.state_of(row)
        if not self.allows(current, to):
            raise ConflictError(self.error_code,
                                f"A {current} {self.model._meta.model_name} cannot become {to}.")
        setattr(row, self.field, to)
        fields = [self.field, *also]
        if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            fields.append("updated_at")
        row.save(update_fields=fields)
        if self.record is not None:
            self.record(row, current, to, actor_id, reason)
        else:
            StateChange.objects.create(lifecycle=self.name, object_id=str(row.pk),
                                       from_state=current, to_state=to, actor_id=actor_id,
                                       reason=reason[:200])
        return current

