"""Files of the door (/v1/files, images only): what `input_reference.file_id` names. Checked
by content at upload (JPEG, PNG or WebP), private to the uploader."""

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.facade import User
from core.errors import DomainError
from core.lifecycle import row_or_404
from core.storage import files_delete_on_commit
from generation import facade as generation

from .models import DoorFile

PURPOSES = ("vision", "user_data")


def file_create(*, user: User, name: str, data: bytes, purpose: str) -> DoorFile:
    if purpose not in PURPOSES:
        raise DomainError("openai.unsupported_purpose", f"purpose is one of "
                          f"{', '.join(PURPOSES)} here.", fields={"purpose": ["Unsupported."]})
    problem = generation.reference_image_problem(data)
    if problem:
        raise DomainError("openai.unsupported_file", problem, fields={"file": [problem]})
    public_id = DoorFile.new_public_id()
    with transaction.atomic():
        row = DoorFile(owner=user, public_id=public_id, filename=name[:255], purpose=purpose,
                       size=len(data))
        row.content.save(public_id, ContentFile(data), save=False)
        row.save()
    return row


def file_get(*, user: User, public_id: str) -> DoorFile:
    return row_or_404(DoorFile.objects.filter(owner=user, public_id=public_id),
                      code="not_found", message=f"No such file: '{public_id[:60]}'.",
                      fields={"file_id": ["Unknown."]})


def file_bytes(*, user: User, public_id: str) -> bytes:
    with file_get(user=user, public_id=public_id).content.open("rb") as handle:
        return handle.read()


def file_delete(*, user: User, public_id: str) -> None:
    row = file_get(user=user, public_id=public_id)
    name, storage = row.content.name, row.content.storage
    row.delete()
    files_delete_on_commit([(storage, name)])


def file_object(row: DoorFile) -> dict[str, Any]:
    return {"id": row.public_id, "object": "file", "bytes": row.size,
            "created_at": int(row.created_at.timestamp()), "filename": row.filename,
            "purpose": row.purpose, "status": "processed", "expires_at": None}
