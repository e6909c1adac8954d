"""Cameo: a verified likeness, who may use it, every use (receipts) and a hash-chained log.

Likeness data (face encodings, reference frames, the raw upload) is only ever stored
encrypted (see secrets.py); it lives in its own rows so erasing a cameo removes all of it.
"""


from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import Created, PublicIdentified, Timestamped, UUIDIdentified, unique


class Cameo(UUIDIdentified, Timestamped):
    """One person's likeness and the rules for using it (one per account)."""

    class Status(models.TextChoices):
        PENDING = "pending"  # enrolled video not judged yet; never verified before
        VERIFIED = "verified"  # likeness data present; may be cast (per the audience)
        REJECTED = "rejected"  # the last attempt failed and nothing was ever verified

    class Audience(models.TextChoices):
        ONLY_ME = "only_me"
        APPROVED = "approved"  # people on my allow list
        MUTUALS = "mutuals"  # people I follow who follow me (and my allow list)
        EVERYONE = "everyone"

    class Takedown(models.TextChoices):
        # When consent narrows: take down the completed videos of people now excluded, or
        # every completed video of others that used the cameo.
        EXCLUDED = "excluded"
        ALL = "all"

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="cameo")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    ask_every_time = models.BooleanField(default=False)
    rules = models.JSONField(default=list, blank=True)  # owner's restrictions, never shown
    preferences = models.CharField(max_length=300, blank=True)  # added to the prompt
    takedown_on_revoke = models.CharField(max_length=10, choices=Takedown.choices,
                                          default=Takedown.EXCLUDED)
    # Bumped on every consent change; receipts name the version they were issued under.
    policy_version = models.PositiveIntegerField(default=1)
    encoding = models.BinaryField(null=True, blank=True)  # encrypted mean face encoding
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"cameo of user {self.owner_id}: {self.status}"


class CameoFrame(models.Model):
    """A reference frame (encrypted JPEG file) and its face encoding (encrypted)."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="frames")
    position = models.PositiveSmallIntegerField()  # 0: the most frontal view
    image = models.FileField(upload_to="cameo/frames/")
    encoding = models.BinaryField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"frame {self.position} of cameo {self.cameo_id}"


class CameoChallenge(UUIDIdentified, Created):
    """A single-use phrase + head moves shown before recording an enrollment video."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    phrase = models.CharField(max_length=100)
    moves = models.JSONField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"challenge {self.pk} for user {self.user_id}"


class Enrollment(UUIDIdentified, Created):
    """One verification attempt of an uploaded video."""

    class Status(models.TextChoices):
        PENDING = "pending"  # queued for the verification worker
        VERIFIED = "verified"  # its frames and encodings now back the cameo
        REJECTED = "rejected"  # reasons say why

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    phrase = models.CharField(max_length=100)
    moves = models.JSONField()
    upload = models.FileField(upload_to="cameo/uploads/", blank=True)  # encrypted; deleted
    reasons = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [unique("cameo", condition=Q(status="pending"),
                              name="cameo_one_pending_enrollment")]

    def __str__(self) -> str:
        return f"enrollment {self.pk}: {self.status}"


class Grant(Created):
    """An allow-list or block-list entry of a cameo."""

    class Kind(models.TextChoices):
        ALLOW = "allow"
        BLOCK = "block"

    class Status(models.TextChoices):
        ACTIVE = "active"  # in force (an allow entry also until expires_at)
        REMOVED = "removed"  # the owner took it back; kept for the audit trail

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="grants")
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [unique("cameo", "grantee", "kind", condition=Q(status="active"),
                              name="cameo_one_active_grant")]

    def __str__(self) -> str:
        return f"{self.kind} of user {self.grantee_id} on cameo {self.cameo_id}: {self.status}"


class Receipt(UUIDIdentified, Created):
    """Consent receipt: who cast whom in which video under which policy; named in C2PA."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    video = models.ForeignKey("generation.Video", on_delete=models.CASCADE,
                              related_name="cameo_receipts")
    body = models.JSONField()  # the canonical JSON's content
    sha256 = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [unique("video", "owner", name="cameo_one_receipt_per_owner")]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"receipt {self.pk}: user {self.owner_id} in video {self.video_id}"


class Approval(UUIDIdentified, Created):
    """"Ask me for every video": the job waits until the owner decides."""

    class Status(models.TextChoices):
        PENDING = "pending"  # asked; the job is parked as queued
        APPROVED = "approved"  # the job is (re)enqueued
        DENIED = "denied"  # the job is blocked, credits released
        EXPIRED = "expired"  # unanswered for CAMEO_APPROVAL_TTL_S: as denied

    receipt = models.OneToOneField(Receipt, on_delete=models.CASCADE, related_name="approval")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"approval {self.pk}: {self.status}"


class ConsentLogEntry(models.Model):
    """Append-only, hash-chained per owner: sha256 covers the entry and the previous hash.

    owner_id is a plain integer (no foreign key) so nothing ever cascades into the log.
    """

    owner_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    actor_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [unique("owner_id", "seq", name="cameo_log_chain")]

    def __str__(self) -> str:
        return f"consent log {self.owner_id}#{self.seq}: {self.kind}"


class ProtectedLikeness(Created):
    """Staff-kept registry of faces nobody may enroll (public figures, estate requests)."""

    class Reason(models.TextChoices):
        PUBLIC_FIGURE = "public_figure"
        ESTATE_REQUEST = "estate_request"

    name = models.CharField(max_length=120)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    encoding = models.BinaryField()  # encrypted

    class Meta:
        verbose_name_plural = "protected likenesses"

    def __str__(self) -> str:
        return self.name


class Character(PublicIdentified, Created):
    """A non-human character (a pet, a toy, a drawing) made from a short video: one reference
    frame, stored encrypted like a cameo's. Private to its owner unless shared."""

    class Audience(models.TextChoices):
        ONLY_ME = "only_me"
        APPROVED = "approved"  # the accounts in `approved`
        EVERYONE = "everyone"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="characters")
    public_id_prefix = "char_"  # castable as @<public_id>
    name = models.CharField(max_length=80)
    slug = models.CharField(max_length=80)  # the name as a mention: @<slug>
    audience = models.CharField(max_length=10, choices=Audience.choices,
                                default=Audience.ONLY_ME)
    approved = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                      related_name="characters_shared_with_me")
    image = models.FileField(upload_to="cameo/characters/")  # encrypted JPEG reference frame
    image_sha256 = models.CharField(max_length=64)  # recorded in the C2PA consent assertion
    # The video showed its owner's own verified face: casting it casts their cameo too, so
    # the cameo's consent rules (and receipts) apply.
    shows_owner = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["owner", "id"]), models.Index(fields=["slug"])]
        constraints = [unique("owner", "slug", condition=~Q(slug=""),
                              name="character_mention_unique_per_owner")]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.name})"


class CharacterUse(Created):
    """A character cast in a video. The character set to NULL (deleted) stops a queued job."""

    video = models.ForeignKey("generation.Video", on_delete=models.CASCADE,
                              related_name="character_uses")
    character = models.ForeignKey(Character, on_delete=models.SET_NULL, null=True,
                                  related_name="uses")

    def __str__(self) -> str:
        return f"character {self.character_id} in video {self.video_id}"
