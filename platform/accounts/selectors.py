"""Account reads."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from core.compiled_queries import StandIns, compiled
from core.errors import NotFoundError

from .models import Block, DeviceSession, Follow, User


def is_blocked_between(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) |
                                Q(blocker_id=b_id, blocked_id=a_id)).exists()


def follows(follower_id: int, followee_id: int) -> bool:
    return Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists()


def are_mutuals(a_id: int, b_id: int) -> bool:
    return Follow.objects.filter(Q(follower_id=a_id, followee_id=b_id) |
                                 Q(follower_id=b_id, followee_id=a_id)).count() == 2


def follow_rows(*, follower_id: int) -> QuerySet[Follow]:
    """The follow rows of one follower, as a subquery for one-query pages (feed lists compose
    it into their SQL; never loaded into Python). Straight on the follow rows: a join through
    the user table is answered by the planner with a scan of every user."""
    return Follow.objects.filter(follower_id=follower_id)


def user_get(*, user_id: int | None, active: bool = False) -> User | None:
    """The account with this id (None: no such account, or not active when `active`)."""
    if user_id is None:
        return None
    users = User.objects.filter(pk=user_id)
    return (users.filter(is_active=True) if active else users).first()


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower()).first()


def active_users_by_handle(*, handles: list[str]) -> list[User]:
    """The active accounts these handles name ("@" optional, any case)."""
    wanted = [handle.removeprefix("@").lower() for handle in handles]
    return list(User.objects.alias(handle_ci=Lower("handle"))
                .filter(handle_ci__in=wanted, is_active=True))


def active_user_by_handle(*, handle: str) -> User | None:
    found = active_users_by_handle(handles=[handle])
    return found[0] if found else None


def user_lock(*, user_id: int) -> None:
    """Lock the account's row for the caller's transaction (serialises per-user counts)."""
    User.objects.select_for_update().filter(pk=user_id).first()


def blocked_either_way_q(user_id: int, field: str) -> Q:
    """`field` (a user id column) names someone on either side of a block with this user: two
    subqueries, so lists filter in SQL without a round trip for the block list first."""
    return (Q(**{f"{field}__in": Block.objects.filter(blocker_id=user_id).values("blocked_id")})
            | Q(**{f"{field}__in": Block.objects.filter(blocked_id=user_id).values("blocker_id")}))


def blocked_user_ids(user_id: int) -> set[int]:
    """Everyone on either side of a block with this user. Read on most feed and post requests:
    compiled once (core.compiled_queries)."""
    pairs = compiled(("accounts.blocked_user_ids",), _blocks_of).rows(user=user_id)
    return {other for pair in pairs for other in pair.values() if other != user_id}


def _blocks_of(stand_ins: StandIns) -> QuerySet[Block, Any]:
    user_id = stand_ins.one("user")
    return Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values(
        "blocker_id", "blocked_id")


def user_get_visible(*, viewer: User, handle: str) -> User:
    """A profile as the viewer may see it, with the relationship flags; blocked looks absent."""
    handle = handle.lower().removeprefix("@")
    user = (User.objects.filter(handle=handle, is_active=True)
            .annotate(
                viewer_follows=Exists(Follow.objects.filter(follower_id=viewer.pk,
                                                            followee_id=OuterRef("pk"))),
                follows_viewer=Exists(Follow.objects.filter(follower_id=OuterRef("pk"),
                                                            followee_id=viewer.pk)))
            .first())
    if user is None or is_blocked_between(viewer.pk, user.pk):
        raise NotFoundError("not_found", "No such user.")
    return user


def user_follow_counts(*, user: User) -> dict[str, int]:
    return {"followers": Follow.objects.filter(followee=user, follower__is_active=True).count(),
            "following": Follow.objects.filter(follower=user, followee__is_active=True).count()}


def followers_list(*, user: User) -> QuerySet[Follow]:
    return Follow.objects.filter(followee=user, follower__is_active=True).select_related(
        "follower")


def following_list(*, user: User) -> QuerySet[Follow]:
    return Follow.objects.filter(follower=user, followee__is_active=True).select_related(
        "followee")


def sessions_list(*, user: User) -> QuerySet[DeviceSession]:
    return DeviceSession.objects.filter(user=user, revoked_at__isnull=True)


def sessions_live(*, session_ids: set[int]) -> set[int]:
    """Which of these device sessions still authenticate (not revoked, account active)."""
    return set(DeviceSession.objects.filter(pk__in=session_ids, revoked_at__isnull=True,
                                            user__is_active=True)
               .values_list("pk", flat=True))
