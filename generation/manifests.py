"""The manifest repository: signed manifest stores by id and by soft binding (the watermark).

Written where a generation is stored (`pipeline._store`, in its transaction), read by the C2PA
Soft Binding Resolution API and by the verify page."""

from uuid import UUID

from django.core.files.base import ContentFile

from generation.provenance import invisible
from generation.provenance.manifest_store import embedded_store, manifest_id_of

from .models import ManifestRecord, Video


def manifest_record_store(*, video_id: UUID, watermark_id: int, store: bytes) -> ManifestRecord:
    """Keep one signed manifest store, keyed by its active manifest's id and by the
    generation's watermark payload."""
    manifest_id = manifest_id_of(store)
    record = ManifestRecord(manifest_id=manifest_id, binding_alg=invisible.ALGORITHM,
                            binding_value=watermark_id, video_id=video_id,
                            store_bytes=len(store))
    # The URN's colons are no file name: the uuid part names the file.
    record.store_file.save(f"{manifest_id.rsplit(':', 1)[-1]}.c2pa", ContentFile(store),
                           save=False)
    record.save()
    return record


def manifest_records_by_binding(*, value: int, limit: int,
                                algs: tuple[str, ...] = invisible.READABLE_ALGORITHMS
                                ) -> list[ManifestRecord]:
    """The manifests whose soft binding is `value` under any of `algs`, newest first."""
    rows = ManifestRecord.objects.filter(binding_alg__in=algs, binding_value=value)
    return list(rows.order_by("-created_at", "-pk")[:limit])


def manifest_ids_by_binding(*, algs: tuple[str, ...], value: int, limit: int) -> list[str]:
    return [r.manifest_id for r in manifest_records_by_binding(value=value, limit=limit,
                                                               algs=algs)]


def manifest_record_get(*, manifest_id: str) -> ManifestRecord | None:
    return ManifestRecord.objects.filter(manifest_id=manifest_id).first()


def manifest_store_bytes(record: ManifestRecord) -> bytes:
    with record.store_file.open("rb") as handle:
        return bytes(handle.read())


def manifest_backfill() -> tuple[int, int]:
    """Records for completed videos that have none, from the store their file embeds;
    returns (added, videos whose file embeds none)."""
    added = missing = 0
    pending = Video.objects.filter(status=Video.Status.COMPLETED, manifests__isnull=True
                                   ).exclude(video_file="")
    for video in pending.iterator():
        with video.video_file.open("rb") as handle:
            store = embedded_store(handle.read())
        if store is None:
            missing += 1
            continue
        manifest_record_store(video_id=video.pk, watermark_id=video.watermark_id, store=store)
        added += 1
    return added, missing
