"""Deleting stored files: only after the transaction that dropped their rows commits, so a
rollback never leaves a row pointing at a deleted file."""

from collections.abc import Iterable

from django.core.files.storage import Storage
from django.db import transaction


def files_delete_on_commit(files: Iterable[tuple[Storage, str]]) -> None:
    """Delete each (storage, name) once the caller's transaction commits (now, outside one);
    empty names are skipped."""
    wanted = [(storage, name) for storage, name in files if name]

    def delete() -> None:
        for storage, name in wanted:
            storage.delete(name)

    if wanted:
        transaction.on_commit(delete)
