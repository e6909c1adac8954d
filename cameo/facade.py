"""What other apps may use of cameo: plain values only."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from accounts.facade import User
from core.pagination import keyset_page

from . import characters
from .models import Character

CHARACTER_AUDIENCES = tuple(Character.Audience.values)


@dataclass(frozen=True)
class CharacterInfo:
    id: str  # "char_<hex>": cast as @<id>, or by name as @<mention>
    name: str
    mention: str
    audience: str
    created_at: datetime


def _character_info(row: Character) -> CharacterInfo:
    return CharacterInfo(id=row.public_id, name=row.name, mention=row.slug,
                         audience=row.audience, created_at=row.created_at)


def character_create(*, user: User, name: str, video: bytes, audience: str = "only_me",
                     approved_handles: list[str] | None = None) -> CharacterInfo:
    """A character from a short video of a pet, a toy or a drawing; a human face is refused
    unless it is the user's own verified cameo, a protected likeness or name always."""
    return _character_info(characters.character_create(
        user=user, name=name, video=video, audience=audience,
        approved_handles=approved_handles))


def character_get(*, user: User, character_id: str) -> CharacterInfo:
    return _character_info(characters.character_get(user=user, public_id=character_id))


def character_share(*, user: User, character_id: str, audience: str,
                    approved_handles: list[str]) -> CharacterInfo:
    return _character_info(characters.character_share(
        user=user, public_id=character_id, audience=audience,
        approved_handles=approved_handles))


def characters_page(*, user: User, after: str | None, limit: int
                    ) -> tuple[list[CharacterInfo], bool]:
    page = keyset_page(characters.characters_of(user=user), order=("-id",),
                       after=Q(public_id=after) if after else None, limit=limit)
    rows, more = page or ([], False)  # an unknown `after`: an empty page
    return [_character_info(r) for r in rows], more


def character_delete(*, user: User, character_id: str) -> None:
    """Deletes the character and erases its reference frame; later casts are a 404."""
    characters.character_delete(user=user, public_id=character_id)
