"""What a person does not want to see, and what they want more or less of."""

from uuid import UUID

from django.core.cache import cache
from django.db import transaction

from accounts.facade import User, active_user_by_handle
from core.errors import DomainError, NotFoundError

from ..models import HiddenCreator, NotInterested, SteeringTerm
from ..selectors.foryou import taste_cache_key
from ..selectors.visibility import post_get_visible
from ..tags import term_normalise


@transaction.atomic
def not_interested_mark(*, user: User, video_id: UUID) -> None:
    post = post_get_visible(viewer=user, video_id=video_id)
    NotInterested.objects.get_or_create(user=user, post=post)
    taste_forget(user)


def _creator(handle: str) -> User:
    creator = active_user_by_handle(handle=handle)
    if creator is None:
        raise NotFoundError("not_found", "No such user.")
    return creator


@transaction.atomic
def creator_hide(*, user: User, handle: str) -> None:
    creator = _creator(handle)
    if creator.pk == user.pk:
        raise DomainError("feed.cannot_hide_self", "You cannot hide yourself.")
    HiddenCreator.objects.get_or_create(user=user, creator=creator)
    taste_forget(user)


@transaction.atomic
def creator_unhide(*, user: User, handle: str) -> None:
    HiddenCreator.objects.filter(user=user, creator=_creator(handle)).delete()
    taste_forget(user)


def taste_forget(user: User) -> None:
    """Steering, likes, hides and "not interested" show on the next first page: drop the
    cached taste now and after the commit (a first page reading in between could have cached
    the old taste again)."""
    key = taste_cache_key(user)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


@transaction.atomic
def steering_set(*, user: User, term: str, direction: str) -> SteeringTerm:
    row, _ = SteeringTerm.objects.update_or_create(
        user=user, term=term_normalise(term), defaults={"direction": direction})
    taste_forget(user)
    return row


@transaction.atomic
def steering_remove(*, user: User, term: str) -> None:
    SteeringTerm.objects.filter(user=user, term=term_normalise(term)).delete()
    taste_forget(user)
