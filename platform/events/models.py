from django.conf import settings
from django.db import models

from core.models import Created


class Notification(Created):
    """Every live event, stored first: the websocket replays from here after a reconnect."""

    # No foreign-key constraint in the database: events are only written by
    # ordering.store_in_commit_order, which checks the users in one statement under their
    # row locks; the constraint's trigger checked each row again at COMMIT, on the delivery
    # path. Users are never deleted by the app (erasure keeps the row); the ORM still cascades.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications", db_constraint=False)
    type = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "id"])]

    def __str__(self) -> str:
        return f"{self.type} for user {self.user_id}"

    def as_event(self) -> dict[str, object]:
        return {"id": self.pk, "type": self.type, "payload": self.payload,
                "created_at": self.created_at.isoformat()}
