"""Django's Postgres backend plus one step just before COMMIT, inside the transaction.

An on-commit hook whose class has a `before_commit(hooks)` class method gets it
called once per transaction, with that class's hooks still due, before the COMMIT is sent.
Django's own bookkeeping decides which are due (a savepoint that rolled back took its hooks
with it), and an error there rolls the whole transaction back (django.db.transaction.Atomic).
events/outbox.py stores a transaction's events there, so their ids follow commit order.
"""

from typing import Any

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    runs_before_commit = True

    def commit(self) -> None:
        due: dict[Any, list[Any]] = {}
        for entry in self.run_on_commit:  # (savepoint ids, hook, robust)
            step = getattr(type(entry[1]), "before_commit", None)
            if step is not None:
                due.setdefault(step, []).append(entry[1])
        for step, hooks in due.items():
            step(hooks)
        super().commit()
