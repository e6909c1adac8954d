"""API key writes: create (the secret is returned once), rename, revoke, note a use."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.facade import User, user_lock
from core.errors import DomainError, NotFoundError

from .models import ApiKey

KEY_PREFIX = "sk-cl-"
PREFIX_SHOWN = 8  # characters of the secret kept in clear after KEY_PREFIX
MAX_KEYS_PER_USER = 50
# A key's last use is written at most this often: one write per request would turn every
# authenticated read into a write.
LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str  # shown to the owner once, never stored


def secret_hash(secret: str) -> str:
    # The secret carries 256 random bits, so a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


@transaction.atomic
def api_key_create(*, user: User, name: str, read_only: bool = False) -> CreatedKey:
    user_lock(user_id=user.pk)  # serialise the count check
    if ApiKey.objects.filter(owner=user, revoked_at__isnull=True).count() >= MAX_KEYS_PER_USER:
        raise DomainError("api_keys.too_many", f"At most {MAX_KEYS_PER_USER} active keys.",
                          status_code=409)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(owner=user, name=name, read_only=read_only,
                                prefix=secret[:len(KEY_PREFIX) + PREFIX_SHOWN],
                                secret_sha256=secret_hash(secret))
    return CreatedKey(key=key, secret=secret)


def _own_key(user: User, key_id: int) -> ApiKey:
    key = ApiKey.objects.filter(pk=key_id, owner=user, revoked_at__isnull=True).first()
    if key is None:
        raise NotFoundError("not_found", "No such API key.")
    return key


def api_key_rename(*, user: User, key_id: int, name: str) -> ApiKey:
    key = _own_key(user, key_id)
    key.name = name
    key.save(update_fields=["name"])
    return key


def api_key_revoke(*, user: User, key_id: int) -> None:
    """Effective at once: every request looks its key up again."""
    ApiKey.objects.filter(pk=_own_key(user, key_id).pk).update(revoked_at=timezone.now())


def api_key_authenticate(*, secret: str) -> ApiKey | None:
    """The live key for this secret (its owner active), noting the use; None otherwise."""
    key = (ApiKey.objects.select_related("owner")
           .filter(secret_sha256=secret_hash(secret), revoked_at__isnull=True,
                   owner__is_active=True).first())
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
