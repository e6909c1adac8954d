import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models


def unique(*fields: str, name: str, condition: models.Q | None = None) -> models.UniqueConstraint:
    """Rows unique on `fields`, in this order: the first leads the lookups its index serves."""
    return models.UniqueConstraint(fields=list(fields), name=name, condition=condition)


class Created(models.Model):
    """A row that keeps when it was written."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Updated(models.Model):
    """A row that keeps when it last changed (every save)."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Timestamped(Created, Updated):
    """A row that keeps when it was written and when it last changed (every save)."""

    class Meta:
        abstract = True


class Revocable(Created):
    """A credential its owner names and may revoke (a device session, an API key): a revoked
    one is kept, and never works again."""

    name = models.CharField(max_length=100)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UUIDIdentified(models.Model):
    """A row keyed by a random UUID, so its id in a URL tells nothing and guesses nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class PublicIdentified(models.Model):
    """A row clients name by a prefixed random id (`public_id_prefix` + 24 hex digits), never
    by its primary key."""

    public_id_prefix: ClassVar[str]
    public_id = models.CharField(max_length=40, unique=True)

    class Meta:
        abstract = True

    @classmethod
    def new_public_id(cls) -> str:
        return f"{cls.public_id_prefix}{secrets.token_hex(12)}"


class IdempotencyRecord(Created):
    """The first response to a credit-spending POST, replayed for retries with the same key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()

    class Meta:
        constraints = [
            unique("user", "scope", "key", name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} of user {self.user_id}"


class OutboxMessage(Created):
    """A Celery task written in the transaction that decided it (transactional outbox).

    Sent after commit; a row still unsent (the broker refused, the process died between commit
    and send) is sent by the periodic relay, so every committed task reaches the broker.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True),
                                name="outbox_unsent")]

    def __str__(self) -> str:
        return f"{self.task} ({'sent' if self.sent_at else 'unsent'})"


class PeriodicRun(models.Model):
    """When a periodic task last did its work: a second beat's run in the same period skips."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} last ran {self.last_run_at}"


class StateChangeRecord(models.Model):
    """What every audit record of a state change holds: who made it (None: the system), why,
    and when. StateChange below, and videos' own VideoTransition, add what moved."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class StateChange(StateChangeRecord):
    """Audit trail of every lifecycle move (`core.lifecycle`): who made it and why."""

    lifecycle = models.CharField(max_length=40)  # "cameo.grant", "billing.purchase", ...
    object_id = models.CharField(max_length=255)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["lifecycle", "object_id", "id"],
                                name="state_change_of_row")]

    def __str__(self) -> str:
        return f"{self.lifecycle} {self.object_id}: {self.from_state} -> {self.to_state}"
