from django.conf import settings
from django.db import models

from core.models import Revocable


class ApiKey(Revocable):
    """A secret a program uses instead of logging in. Only a hash of the secret is kept; the
    prefix is shown so its owner can tell keys apart."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="api_keys")
    prefix = models.CharField(max_length=24)  # "sk-cl-" and the first characters of the secret
    secret_sha256 = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-id"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
