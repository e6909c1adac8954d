"""Cameo writes: settings, allow and block lists, takedowns, deletion.

Every consent change bumps the cameo's policy version, is logged, and is enforced at once
(revocation.revocation_enforce) in the same transaction.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction

from accounts.facade import User, active_user_by_handle
from core.errors import DomainError, NotFoundError
from core.storage import files_delete_on_commit

from . import events
from .characters import characters_erase_for_account
from .consent_log import consent_log_append
from .models import Cameo, CameoChallenge, Grant
from .revocation import cameo_lock_for_change, receipt_revoke, revocation_enforce
from .selectors import appearance_get
from .states import grant_transition

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

SETTINGS_FIELDS = ("audience", "ask_every_time", "rules", "preferences", "takedown_on_revoke")
MAX_RULES = 20
MAX_RULE_CHARS = 200


def _locked_cameo(user: User) -> Cameo:
    cameo = cameo_lock_for_change(owner=user)
    if cameo is None:
        raise NotFoundError("cameo.not_found", "You have no cameo yet.")
    return cameo


def _changed(cameo: Cameo, *, actor_id: int, kind: str, data: dict[str, Any]) -> None:
    cameo.policy_version += 1
    cameo.save(update_fields=["policy_version", "updated_at"])
    consent_log_append(owner_id=cameo.owner_id, kind=kind, actor_id=actor_id,
                       data={**data, "policy_version": cameo.policy_version})
    revocation_enforce(cameo=cameo, actor_id=actor_id)


def _clean_rules(rules: list[str]) -> list[str]:
    cleaned = [" ".join(rule.split()) for rule in rules if rule.strip()]
    if len(cleaned) > MAX_RULES or any(len(rule) > MAX_RULE_CHARS for rule in cleaned):
        raise DomainError("cameo.invalid_rules", f"At most {MAX_RULES} rules of "
                          f"{MAX_RULE_CHARS} characters.", fields={"rules": ["Too long."]})
    return cleaned


@transaction.atomic
def cameo_settings_update(*, user: User, **changes: Any) -> Cameo:
    cameo = _locked_cameo(user)
    if "rules" in changes:
        changes["rules"] = _clean_rules(changes["rules"])
    changed = {k: v for k, v in changes.items()
               if k in SETTINGS_FIELDS and getattr(cameo, k) != v}
    if not changed:
        return cameo
    for name, value in changed.items():
        setattr(cameo, name, value)
    cameo.save(update_fields=[*changed, "updated_at"])
    # The rules' words stay out of the log's data: the log is shown and exported.
    logged = {k: v for k, v in changed.items() if k != "rules"}
    if "rules" in changed:
        logged["rules_count"] = len(changed["rules"])
    _changed(cameo, actor_id=user.pk, kind="settings_changed", data=logged)
    return cameo


def _grantee(handle: str, owner: User) -> User:
    grantee = active_user_by_handle(handle=handle)
    if grantee is None or grantee.pk == owner.pk:
        raise NotFoundError("not_found", "No such account.")
    return grantee


@transaction.atomic
def grant_put(*, user: User, handle: str, kind: str, expires_at: datetime | None = None
              ) -> Grant:
    """Add (or replace, e.g. with a new expiry) an allow-list or block-list entry."""
    cameo = _locked_cameo(user)
    grantee = _grantee(handle, user)
    for old in Grant.objects.filter(cameo=cameo, grantee=grantee, kind=kind,
                                    status=Grant.Status.ACTIVE):
        grant_transition(grant_id=old.pk, to=Grant.Status.REMOVED, actor_id=user.pk,
                         reason="replaced")
    grant = Grant.objects.create(cameo=cameo, grantee=grantee, kind=kind,
                                 expires_at=expires_at if kind == Grant.Kind.ALLOW else None)
    _changed(cameo, actor_id=user.pk, kind=f"{kind}_added",
             data={"grantee_id": grantee.pk, "expires_at": grant.expires_at})
    return grant


@transaction.atomic
def grant_remove(*, user: User, handle: str, kind: str) -> None:
    cameo = _locked_cameo(user)
    grantee = _grantee(handle, user)
    grants = list(Grant.objects.filter(cameo=cameo, grantee=grantee, kind=kind,
                                       status=Grant.Status.ACTIVE))
    if not grants:
        raise NotFoundError("not_found", f"@{grantee.handle} is not on this list.")
    for grant in grants:
        grant_transition(grant_id=grant.pk, to=Grant.Status.REMOVED, actor_id=user.pk,
                         reason="owner_removed")
    _changed(cameo, actor_id=user.pk, kind=f"{kind}_removed", data={"grantee_id": grantee.pk})


@transaction.atomic
def appearance_takedown(*, user: User, video_id: UUID) -> None:
    """The likeness owner takes one video down (completed ones refund the requester)."""
    receipt = appearance_get(user=user, video_id=video_id)
    if not receipt_revoke(receipt=receipt, code="cameo.takedown", actor_id=user.pk,
                          refund=True):
        raise DomainError("cameo.already_taken_down", "This video was already taken down.",
                          status_code=409)
    consent_log_append(owner_id=user.pk, kind="takedown", actor_id=user.pk,
                       data={"video_id": str(video_id), "receipt_id": str(receipt.pk)})
    events.takedown_publish(receipt)


@transaction.atomic
def cameo_delete(*, user: User) -> None:
    """Erase the likeness now: every use stops or is taken down, then the encodings, frames
    and uploads go (files right after commit, so a rollback keeps them consistent)."""
    cameo = _locked_cameo(user)
    revocation_enforce(cameo=cameo, actor_id=user.pk, everyone=True)
    files: list[FieldFile] = [frame.image for frame in cameo.frames.all()]
    files += [e.upload for e in cameo.enrollments.all() if e.upload]
    storage_names = [(f.storage, f.name) for f in files if f.name]
    consent_log_append(owner_id=user.pk, kind="deleted", actor_id=user.pk,
                       data={"cameo_id": str(cameo.pk)})
    cameo.delete()  # cascades to frames, enrollments and grants
    CameoChallenge.objects.filter(user=user).delete()
    files_delete_on_commit(storage_names)


def cameo_erase_for_account(user: User) -> None:
    """Account erasure hook: deleting an account deletes its cameo the same way."""
    if Cameo.objects.filter(owner=user).exists():
        cameo_delete(user=user)
    CameoChallenge.objects.filter(user=user).delete()
    characters_erase_for_account(user=user)
