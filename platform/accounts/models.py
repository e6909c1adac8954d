from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.models import Created, Revocable, unique


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, handle: str, password: str | None = None,
                    **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), handle=handle.lower(),
                          **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, handle: str, password: str | None = None,
                         **extra: object) -> "User":
        extra.setdefault("birthdate", date(1990, 1, 1))
        return self.create_user(email, handle, password, is_staff=True, is_superuser=True,
                                **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        MEMBER = "member"
        MODERATOR = "moderator"
        SENIOR_MODERATOR = "senior_moderator", "Senior moderator"
        ADMIN = "admin"

    email = models.EmailField(unique=True)
    handle = models.CharField(max_length=30, unique=True)
    birthdate = models.DateField(null=True)
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()
    # Set by token authentication: the device session the current request came from.
    session_id: int | None = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["handle"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="accounts_user_handle_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"

    @property
    def age(self) -> int | None:
        if self.birthdate is None:
            return None
        today = timezone.now().date()
        before_birthday = (today.month, today.day) < (self.birthdate.month, self.birthdate.day)
        return today.year - self.birthdate.year - int(before_birthday)

    @property
    def is_teen(self) -> bool:
        """Under-18 accounts get stricter defaults everywhere (feeds, cameo, generation)."""
        age = self.age
        return age is not None and age < settings.ADULT_AGE


class DeviceSession(Revocable):
    """One logged-in device; its id is in every token so revoking it logs that device out."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_sessions")
    last_refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.user_id} ({self.name})"


class Follow(Created):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set")

    class Meta:
        constraints = [
            unique("follower", "followee", name="follow_unique"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followee")),
                                   name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followee", "follower"])]

    def __str__(self) -> str:
        return f"user {self.follower_id} follows user {self.followee_id}"


class Block(Created):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocking_set")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by_set")

    class Meta:
        constraints = [
            unique("blocker", "blocked", name="block_unique"),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self) -> str:
        return f"user {self.blocker_id} blocks user {self.blocked_id}"
