"""Story relays: continuing a video (yours, or one whose creator allows it) and the chain of
authors a continued video carries.

An extension is a remix of its source (`remix_of`) that also names it in
`provenance["extends"]`; its file is the stitched whole. `provenance["authors"]` keeps the
owners whose footage is in that whole, oldest first, written once when the job is made (a
video's owner and its source never change), so pages name every author without walking the
chain.
"""

from collections.abc import Iterable
from uuid import UUID

from accounts.facade import User, is_blocked_between
from core.errors import ConflictError, NotFoundError

from .access import extend_allowed
from .models import Video

NOT_EXTENDABLE = "generation.source_not_extendable"
_WHY_NOT: dict[str, str] = {
    Video.Status.QUEUED: "it is still queued",
    Video.Status.IN_PROGRESS: "it is still being made",
    Video.Status.FAILED: "it failed",
    Video.Status.CANCELLED: "it was cancelled",
    Video.Status.BLOCKED: "it was blocked",
}


def extend_source(*, user: User, source_id: UUID) -> Video:
    """The video to continue, or a refusal: someone else's video the caller may not continue
    is a 404 (as if it did not exist); one the caller may see but that is not a finished,
    stored, reviewed video is a 409 saying why."""
    source = Video.objects.filter(pk=source_id).first()
    own = source is not None and source.owner_id == user.pk
    if source is None or (not own and (
            source.deleted_at is not None or is_blocked_between(user.pk, source.owner_id)
            or not extend_allowed(user_id=user.pk, video=source))):
        raise NotFoundError("not_found", "No such video to continue.")
    why = ("it was deleted" if source.deleted_at is not None
           else _WHY_NOT.get(source.status) or
           ("it is waiting for a moderator" if source.held_for_review else
            "moderation restricted it" if source.restricted else
            "" if source.video_file else "its file is missing"))
    if why:
        raise ConflictError(NOT_EXTENDABLE, f"This video cannot be continued: {why}.",
                            fields={"video_id": [why]})
    return source


def author_ids(video: Video) -> list[int]:
    """The owners whose footage is in this video's file, oldest first, each once."""
    return list(video.provenance.get("authors") or [video.owner_id])


def extension_author_ids(*, source: Video, owner_id: int) -> list[int]:
    """The chain of authors of a new extension of `source` made by `owner_id`."""
    return list(dict.fromkeys([*author_ids(source), owner_id]))


def author_handles(*, chains: Iterable[Iterable[int]]) -> dict[int, str]:
    """The handles of every author in these chains, in one query (none for no ids)."""
    ids = {user_id for chain in chains for user_id in chain}
    if not ids:
        return {}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "handle"))


def authors_of(*, videos: Iterable[Video]) -> dict[UUID, list[str]]:
    """Each video's chain of authors as handles, oldest first (an account gone since drops
    out of the chain)."""
    chains = {video.pk: author_ids(video) for video in videos}
    handles = author_handles(chains=chains.values())
    return {video_id: [handles[i] for i in chain if i in handles]
            for video_id, chain in chains.items()}


def extensions_of(*, video_id: UUID) -> list[UUID]:
    """Every video that continues this one, directly or through other extensions (each
    contains this video's footage), oldest first; one query per generation of the relay."""
    found: list[UUID] = []
    frontier = [video_id]
    while frontier:
        frontier = list(Video.objects.filter(remix_of_id__in=frontier,
                                             provenance__has_key="extends")
                        .order_by("created_at", "pk").values_list("pk", flat=True))
        found.extend(frontier)
    return found
