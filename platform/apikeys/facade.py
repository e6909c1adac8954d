"""What other apps may use of API keys: the authentication class and the read-only rule."""

from .authentication import ApiKeyAuthentication, ReadOnlyKeyPermission

__all__ = ["ApiKeyAuthentication", "ReadOnlyKeyPermission"]
