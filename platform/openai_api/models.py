import uuid

from django.conf import settings
from django.db import models

from core.models import Created, PublicIdentified, Timestamped, unique


class DoorVideo(Created):
    """What the door alone knows about a video made through it: the model name the client
    asked for (an alias of the deployment's model). The video itself is generation's."""

    video_id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    model = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"door video {self.video_id} ({self.model})"


class WebhookEndpoint(PublicIdentified, Timestamped):
    """Where an account wants its video.completed / video.failed events, signed with a
    Standard Webhooks secret (whsec_...). The secret is kept, as signing needs it; clients
    see it once, when it is made or rotated."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="webhook_endpoints")
    public_id_prefix = "we_"
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000)
    event_types = models.JSONField(default=list)
    secret = models.CharField(max_length=80)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "id"])]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.name})"


class WebhookDelivery(Created):
    """One event for one endpoint: sent until it is accepted (2xx) or three days have passed.
    (endpoint, event_id) is unique, so one event is never queued, or sent, twice."""

    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for its next attempt
        DELIVERED = "delivered"  # the endpoint answered 2xx
        FAILED = "failed"  # every attempt for three days failed; not tried again

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries")
    event_id = models.CharField(max_length=80)
    event_type = models.CharField(max_length=40)
    payload = models.TextField()  # the exact bytes signed and sent
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)  # a sender holds it
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [unique("endpoint", "event_id", name="webhook_delivery_once_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to endpoint {self.endpoint_id}: {self.status}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"attempt on delivery {self.delivery_id}: {self.status_code or self.error}"


class DoorFile(PublicIdentified, Created):
    """An image uploaded through /v1/files, to be named as input_reference.file_id."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="door_files")
    public_id_prefix = "file-"
    filename = models.CharField(max_length=255)
    purpose = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    content = models.FileField(upload_to="door_files/")

    class Meta:
        indexes = [models.Index(fields=["owner", "id"])]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.filename})"
