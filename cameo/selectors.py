"""Cameo reads: who may cast whom, grants, appearances, approvals, the log."""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.facade import User, are_mutuals, follows, is_blocked_between
from core.errors import NotFoundError

from .models import Approval, Cameo, ConsentLogEntry, Grant, Receipt

A = Cameo.Audience
REFUSED = "cameo.not_allowed"


def cameo_of(*, user: User) -> Cameo:
    cameo = Cameo.objects.filter(owner=user).first()
    if cameo is None:
        raise NotFoundError("cameo.not_found", "You have no cameo yet.")
    return cameo


def active_grants(*, cameo: Cameo, kind: str) -> QuerySet[Grant]:
    return Grant.objects.filter(cameo=cameo, kind=kind, status=Grant.Status.ACTIVE).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


def cast_refusal(*, cameo: Cameo, requester: User) -> str | None:
    """None when `requester` may cast `cameo` under its current settings, else why not.

    The owner's block list and an account block always win; teens are cast only by people
    they follow (or other teens); an allow-list entry widens every audience but only-me.
    """
    owner_id = cameo.owner_id
    if cameo.status != Cameo.Status.VERIFIED:
        return "cameo.unavailable"
    if requester.pk == owner_id:
        return None
    if cameo.audience == A.ONLY_ME or is_blocked_between(owner_id, requester.pk):
        return REFUSED
    if active_grants(cameo=cameo, kind=Grant.Kind.BLOCK).filter(grantee=requester).exists():
        return REFUSED
    if cameo.owner.is_teen and not requester.is_teen and not follows(owner_id, requester.pk):
        return REFUSED
    if cameo.audience == A.EVERYONE:
        return None
    if active_grants(cameo=cameo, kind=Grant.Kind.ALLOW).filter(grantee=requester).exists():
        return None
    if cameo.audience == A.MUTUALS and are_mutuals(owner_id, requester.pk):
        return None
    return REFUSED


def grants_of(*, cameo: Cameo, kind: str) -> QuerySet[Grant]:
    return active_grants(cameo=cameo, kind=kind).select_related("grantee").order_by("-id")


def appearances_of(*, user: User) -> QuerySet[Receipt]:
    """Every video that used the user's likeness, drafts and others' private videos too."""
    return (Receipt.objects.filter(owner=user).select_related("requester", "video")
            .order_by("-created_at", "-id"))


def appearance_get(*, user: User, video_id: UUID | str) -> Receipt:
    receipt = Receipt.objects.filter(owner=user, video_id=video_id).first()
    if receipt is None:
        raise NotFoundError("not_found", "Your cameo is not in this video.")
    return receipt


def approvals_for(*, user: User, status: str | None) -> QuerySet[Approval]:
    approvals = Approval.objects.filter(receipt__owner=user).select_related(
        "receipt__requester", "receipt__video")
    if status:
        approvals = approvals.filter(status=status)
    return approvals.order_by("-created_at", "-id")


def consent_log_of(*, user: User) -> QuerySet[ConsentLogEntry]:
    return ConsentLogEntry.objects.filter(owner_id=user.pk)


def uses_likeness_of(user_id: int, video_id: UUID | str) -> bool:
    return Receipt.objects.filter(owner_id=user_id, video_id=video_id).exists()
