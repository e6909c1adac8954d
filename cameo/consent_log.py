"""The consent log: append-only, hash-chained per owner, verifiable by recomputing it.

Each entry's sha256 covers its canonical JSON, which includes the previous entry's hash, so
changing, removing or reordering any entry breaks every later link.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ConsentLogEntry

GENESIS = "0" * 64
APPEND_ATTEMPTS = 5


def canonical_json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def sha256_of(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _body(entry: ConsentLogEntry) -> dict[str, Any]:
    return {"owner_id": entry.owner_id, "seq": entry.seq, "kind": entry.kind,
            "actor_id": entry.actor_id, "data": entry.data,
            "at": entry.at.isoformat(), "prev_hash": entry.prev_hash}


def consent_log_append(*, owner_id: int, kind: str, actor_id: int | None,
                       data: dict[str, Any]) -> ConsentLogEntry:
    """Appends in the caller's transaction; a concurrent append to the same chain loses the
    unique (owner, seq) race and retries on the new head."""
    for _ in range(APPEND_ATTEMPTS):
        head = ConsentLogEntry.objects.filter(owner_id=owner_id).order_by("-seq").first()
        entry = ConsentLogEntry(owner_id=owner_id, seq=head.seq + 1 if head else 1, kind=kind,
                                actor_id=actor_id, data=json.loads(canonical_json(data)),
                                at=timezone.now(), prev_hash=head.sha256 if head else GENESIS)
        entry.sha256 = sha256_of(_body(entry))
        try:
            with transaction.atomic():
                entry.save()
            return entry
        except IntegrityError:
            continue
    raise RuntimeError(f"consent log of owner {owner_id} is too contended")


@dataclass(frozen=True)
class ChainCheck:
    valid: bool
    entries: int
    broken_at: int | None = None  # seq of the first bad entry
    problem: str = ""


def consent_log_verify(*, owner_id: int) -> ChainCheck:
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in ConsentLogEntry.objects.filter(owner_id=owner_id).order_by("seq").iterator():
        count += 1
        if entry.seq != expected_seq:
            return ChainCheck(False, count, entry.seq, "an entry is missing")
        if entry.prev_hash != prev:
            return ChainCheck(False, count, entry.seq, "the link to the previous entry is broken")
        if sha256_of(_body(entry)) != entry.sha256:
            return ChainCheck(False, count, entry.seq, "the entry was altered")
        prev, expected_seq = entry.sha256, expected_seq + 1
    return ChainCheck(True, count)
