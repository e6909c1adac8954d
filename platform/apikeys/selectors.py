from django.db.models import QuerySet

from accounts.facade import User

from .models import ApiKey


def api_keys_of_owner(*, user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner=user, revoked_at__isnull=True)
