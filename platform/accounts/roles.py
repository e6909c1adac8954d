"""The role ladder: the one place it is written (moderation's console and API, generation's
"moderators see drafts" rule, billing's admin endpoints)."""

from .models import User

MODERATOR_ROLES = frozenset({User.Role.MODERATOR, User.Role.SENIOR_MODERATOR, User.Role.ADMIN})
SENIOR_ROLES = frozenset({User.Role.SENIOR_MODERATOR, User.Role.ADMIN})


def is_moderator(user: object) -> bool:
    """An active account holding any moderator role (anonymous users and others: False)."""
    return bool(isinstance(user, User) and user.is_active and user.role in MODERATOR_ROLES)


def is_senior_moderator(user: object) -> bool:
    return is_moderator(user) and isinstance(user, User) and user.role in SENIOR_ROLES


def is_admin(user: object) -> bool:
    """Staff, or the admin role: may adjust credits and read any ledger."""
    return bool(isinstance(user, User) and user.is_authenticated
                and (user.is_staff or user.role == User.Role.ADMIN))


def user_id_is_moderator(user_id: int) -> bool:
    """is_moderator for a user known by id (one query)."""
    return User.objects.filter(pk=user_id, is_active=True, role__in=MODERATOR_ROLES).exists()
