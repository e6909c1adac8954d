import secrets

from django.conf import settings
from django.db import models

from core.models import Created, StateChangeRecord, UUIDIdentified


def new_watermark_id() -> int:
    """64-bit payload of the invisible watermark (signed range: Postgres bigint)."""
    return secrets.randbits(63)


class Video(UUIDIdentified, Created):
    """One generation job and, once completed, the video it produced."""

    class Status(models.TextChoices):
        QUEUED = "queued"  # accepted, credits held, waiting for a worker
        IN_PROGRESS = "in_progress"  # a worker is generating it
        COMPLETED = "completed"  # stored, signed, credits captured
        FAILED = "failed"  # something broke; credits released; error_code says what
        CANCELLED = "cancelled"  # the owner stopped it; credits released
        BLOCKED = "blocked"  # moderation or consent stopped it; credits released

    class AspectRatio(models.TextChoices):
        LANDSCAPE = "16:9"
        PORTRAIT = "9:16"
        SQUARE = "1:1"

    class Resolution(models.TextChoices):
        SD = "480p"
        HD = "720p"
        FULL_HD = "1080p"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="videos")
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    style = models.CharField(max_length=40, blank=True)
    seconds = models.PositiveSmallIntegerField()
    aspect_ratio = models.CharField(max_length=5, choices=AspectRatio.choices)
    resolution = models.CharField(max_length=6, choices=Resolution.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    fps = models.PositiveSmallIntegerField(default=24)
    with_audio = models.BooleanField(default=True)
    seed = models.BigIntegerField()
    shots = models.JSONField(default=list)  # [{"prompt", "seconds"}]; one entry at least
    model_name = models.CharField(max_length=40)
    cast_handles = models.JSONField(default=list)

    remix_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="remixes")
    remix_root = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    remix_depth = models.PositiveIntegerField(default=0)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0)
    stage = models.CharField(max_length=30, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    held_for_review = models.BooleanField(default=False)  # a case is open; not publishable yet
    restricted = models.BooleanField(default=False)  # moderation: hidden from feeds
    label = models.CharField(max_length=64, blank=True)  # moderation: shown with the video
    cancel_requested = models.BooleanField(default=False)
    cost = models.PositiveIntegerField()
    attempts = models.PositiveSmallIntegerField(default=0)
    run_token = models.CharField(max_length=32, blank=True)  # which delivery owns the run

    video_file = models.FileField(upload_to="videos/", blank=True)
    thumbnail_file = models.FileField(upload_to="thumbnails/", blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    watermark_id = models.BigIntegerField(unique=True, default=new_watermark_id)
    provenance = models.JSONField(default=dict, blank=True)
    output_codes = models.JSONField(default=list, blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)  # last handed to the outbox
    finished_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"video {self.pk}: {self.status}"

    @property
    def reservation_reference(self) -> str:
        return f"job:{self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL


TERMINAL = {Video.Status.COMPLETED, Video.Status.FAILED, Video.Status.CANCELLED,
            Video.Status.BLOCKED}
# Still to run or running: what a consent change must stop and an owner's job limit counts.
ACTIVE = frozenset({Video.Status.QUEUED, Video.Status.IN_PROGRESS})


class VideoTransition(StateChangeRecord):
    """Audit trail: every status change, who made it and why."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"video {self.video_id}: {self.from_status} -> {self.to_status}"


class ManifestRecord(Created):
    """The manifest repository: every signed C2PA manifest store, kept apart from the file it
    was embedded in, so a copy whose manifest was stripped can get it back by its soft binding
    (the invisible watermark's payload)."""

    manifest_id = models.CharField(max_length=100, unique=True)  # urn:c2pa:<uuid>
    binding_alg = models.CharField(max_length=64)
    binding_value = models.BigIntegerField()  # the watermark payload == Video.watermark_id
    video = models.ForeignKey(Video, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="manifests")
    store_file = models.FileField(upload_to="manifests/")  # application/c2pa (JUMBF)
    store_bytes = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["binding_alg", "binding_value"])]

    def __str__(self) -> str:
        return f"manifest {self.manifest_id} (video {self.video_id})"


from generation.storyboards.models import (  # noqa: E402 - registered with the generation app
    Storyboard,
    StoryboardCollaborator,
    StoryboardShot,
)

__all__ = ["ACTIVE", "ManifestRecord", "Storyboard", "StoryboardCollaborator", "StoryboardShot",
           "Video", "VideoTransition", "new_watermark_id"]
