"""A storyboard draft, its shots (each with a version) and the people it is shared with."""


from django.conf import settings
from django.db import models

from core.models import Created, Timestamped, UUIDIdentified, unique


class Storyboard(UUIDIdentified, Timestamped):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="storyboards")
    title = models.CharField(max_length=200, blank=True, default="")
    # Bumped by every change: a client that sees revision N has every change up to N.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"storyboard {self.pk}"


class StoryboardShot(models.Model):
    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="shots")
    position = models.PositiveSmallIntegerField()
    prompt = models.TextField()
    seconds = models.PositiveSmallIntegerField()
    camera = models.CharField(max_length=300, blank=True, default="")
    dialogue = models.JSONField(default=list)  # [{"speaker", "language", "text"}]
    ambient = models.CharField(max_length=300, blank=True, default="")  # what it sounds like
    music = models.CharField(max_length=300, blank=True, default="")
    dialogue_on = models.BooleanField(default=True)
    ambient_on = models.BooleanField(default=True)
    music_on = models.BooleanField(default=True)
    # A write names the version it read; a stale one is a 409 (services.shot_update).
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"shot {self.pk} of storyboard {self.storyboard_id}"


class StoryboardCollaborator(Created):
    class Role(models.TextChoices):
        EDITOR = "editor"  # edits shots, generates (and pays for what they generate)
        VIEWER = "viewer"  # reads and watches live

    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE,
                                   related_name="collaborators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="storyboard_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [unique("storyboard", "user", name="storyboard_collaborator_once")]

    def __str__(self) -> str:
        return f"{self.role} {self.user_id} of storyboard {self.storyboard_id}"
