"""Characters: create (checked media, a policy-checked name), read, share, delete (erasing the
reference frame), and casting them in a video (the casting provider calls character_cast)."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from uuid import UUID

import numpy as np
import numpy.typing as npt
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from accounts.facade import User, active_users_by_handle, is_blocked_between
from core.errors import ConflictError, DomainError, NotFoundError
from core.lifecycle import row_or_404
from core.storage import files_delete_on_commit
from generation.facade import CastMember, prompt_mentions
from moderation.facade import prompt_check

from . import vault
from .character_media import CharacterMedia, character_media
from .models import Character, CharacterUse

ID_PREFIX = Character.public_id_prefix
_NOT_MENTION = re.compile(r"[^a-z0-9_]")
MAX_APPROVED = 50


def character_slug(name: str) -> str:
    """The name as it is cast in a prompt: "Rex the Dog" is @rexthedog, "Zoë" @zoe (accents
    folded, not dropped). "" when that is no mention a prompt can hold (shorter than 3 or
    longer than 30 characters, or no Latin letters): such a character is cast by its id, and
    its mention says so (before, "Al" was offered as @al, which no prompt ever cast)."""
    slug = _NOT_MENTION.sub("", unicodedata.normalize("NFKD", name.lower()))
    return slug if prompt_mentions(f"@{slug}") == [slug] else ""


def _bound(row: Character) -> str:
    return f"character:{row.public_id}"


def _audience(audience: str, handles: list[str]) -> tuple[str, list[User]]:
    if audience not in Character.Audience.values:
        raise DomainError("character.invalid_audience", "audience is one of "
                          f"{', '.join(Character.Audience.values)}.",
                          fields={"audience": ["Unknown audience."]})
    if audience != Character.Audience.APPROVED:
        return audience, []
    wanted = list(dict.fromkeys(h.strip().lower().removeprefix("@") for h in handles
                                if h.strip()))
    if len(wanted) > MAX_APPROVED:
        raise DomainError("character.too_many_approved", f"At most {MAX_APPROVED} handles.",
                          fields={"approved_handles": ["Too many."]})
    users = active_users_by_handle(handles=wanted)
    missing = sorted(set(wanted) - {u.handle.lower() for u in users})
    if missing:
        raise DomainError("character.unknown_handles", "No such accounts: "
                          f"{', '.join('@' + h for h in missing[:5])}.",
                          fields={"approved_handles": missing[:5]})
    return audience, users


def character_create(*, user: User, name: str, video: bytes, audience: str = "only_me",
                     approved_handles: list[str] | None = None) -> Character:
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise DomainError("character.invalid_name", "name is 1 to 80 characters.",
                          fields={"name": ["1 to 80 characters."]})
    # Copyrighted characters and protected names are refused like a prompt naming them.
    prompt_check(text=name, teen=user.is_teen).raise_if_blocked()
    audience, approved = _audience(audience, approved_handles or [])
    slug = character_slug(name)
    taken = ConflictError("character.name_taken", f"You already have a character cast as "
                          f"@{slug}.", fields={"name": ["Taken."]})
    if slug and Character.objects.filter(owner=user, slug=slug).exists():
        raise taken
    media = character_media(user=user, data=video)  # the slow part, outside the transaction
    try:
        return _character_store(user=user, name=name, slug=slug, audience=audience,
                                approved=approved, media=media)
    except IntegrityError:
        raise taken from None  # made meanwhile by a concurrent request


@transaction.atomic
def _character_store(*, user: User, name: str, slug: str, audience: str, approved: list[User],
                     media: CharacterMedia) -> Character:
    row = Character(owner=user, public_id=Character.new_public_id(), name=name,
                    slug=slug, audience=audience, shows_owner=media.shows_owner,
                    image_sha256=hashlib.sha256(media.reference_jpeg).hexdigest())
    row.image.save(f"{row.public_id}.bin",
                   vault.sealed_file(media.reference_jpeg, bound_to=_bound(row)), save=False)
    try:
        row.save()
    except IntegrityError:
        row.image.storage.delete(row.image.name)  # nothing half-written
        raise
    row.approved.set(approved)
    return row


def _visible_to(user: User) -> QuerySet[Character]:
    shared = Q(audience=Character.Audience.EVERYONE) | Q(
        audience=Character.Audience.APPROVED, approved=user)
    return Character.objects.filter(Q(owner=user) | shared, owner__is_active=True).distinct()


def character_get(*, user: User, public_id: str) -> Character:
    """The owner's character; anyone else's is a 404, as a video is."""
    return row_or_404(Character.objects.filter(owner=user, public_id=public_id),
                      code="character.not_found", message=f"No character '{public_id[:60]}'.",
                      fields={"character_id": ["Unknown."]})


@transaction.atomic
def character_share(*, user: User, public_id: str, audience: str,
                    approved_handles: list[str]) -> Character:
    """Who else may cast it, from now on (queued jobs keep the casts they were made with)."""
    row = character_get(user=user, public_id=public_id)
    row.audience, approved = _audience(audience, approved_handles)
    row.save(update_fields=["audience"])
    row.approved.set(approved)
    return row


def characters_of(*, user: User) -> QuerySet[Character]:
    return Character.objects.filter(owner=user).order_by("-id")


@transaction.atomic
def character_delete(*, user: User, public_id: str) -> None:
    """Erases the reference frame too (after commit); queued jobs casting it then stop."""
    row = character_get(user=user, public_id=public_id)
    stale = [(row.image.storage, row.image.name)]
    row.delete()
    files_delete_on_commit(stale)


def characters_erase_for_account(*, user: User) -> None:
    """Account erasure: every character of the account, reference frames included."""
    rows = list(Character.objects.filter(owner=user))
    stale = [(row.image.storage, row.image.name) for row in rows]
    Character.objects.filter(pk__in=[row.pk for row in rows]).delete()
    files_delete_on_commit(stale)


def _castable(requester: User, mention: str) -> Character | None:
    """By id, or by name: the requester's own first, then one shared with them."""
    if mention.startswith(ID_PREFIX):
        row = _visible_to(requester).select_related("owner").filter(public_id=mention).first()
    else:
        row = Character.objects.select_related("owner").filter(owner=requester,
                                                               slug=mention).first() or \
            _visible_to(requester).select_related("owner").filter(slug=mention).order_by(
                "id").first()
    if row is not None and is_blocked_between(requester.pk, row.owner_id):
        return None
    return row


@dataclass(frozen=True)
class CharacterCast:
    member: CastMember
    owner_handle: str | None  # the character shows its owner: cast their cameo too


def character_cast(*, requester: User, video_id: UUID, mention: str) -> CharacterCast | None:
    """A cast member for a character mention (recorded for the job), None: not a character;
    an id of a character the requester may not use is a 404."""
    mention = mention.lower().removeprefix("@")
    row = _castable(requester, mention)
    if row is None:
        if mention.startswith(ID_PREFIX):
            raise NotFoundError("character.not_found", f"No character '{mention[:60]}'.",
                                fields={"characters": [mention[:60]]})
        return None
    # Checked again at each cast: the term lists may have grown since it was made.
    prompt_check(text=row.name, teen=requester.is_teen).raise_if_blocked()
    CharacterUse.objects.create(video_id=video_id, character=row)
    # The C2PA consent assertion names the character and the hash of its reference frame.
    member = CastMember(handle=row.slug or row.public_id, user_id=row.owner_id,
                        receipt_id=row.public_id, receipt_sha256=row.image_sha256,
                        preferences="")
    return CharacterCast(member=member,
                         owner_handle=row.owner.handle.lower() if row.shows_owner else None)


def character_fence(*, video_id: UUID) -> str | None:
    if CharacterUse.objects.filter(video_id=video_id, character__isnull=True).exists():
        return "character.deleted"
    return None


def character_frames(*, video_id: UUID) -> list[npt.NDArray[np.uint8]]:
    rows = [use.character for use in CharacterUse.objects.filter(
        video_id=video_id, character__isnull=False).select_related("character").order_by("id")]
    return [vault.jpeg_to_rgb(vault.read_sealed_file(row.image, bound_to=_bound(row)))
            for row in rows if row is not None]
