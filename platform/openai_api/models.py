import uuid

from django.db import models


class DoorVideo(models.Model):
    """What the door alone knows about a video made through it: the model name the client
    asked for (an alias of the deployment's model). The video itself is generation's."""

    video_id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    model = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
