from django.contrib import admin

from .models import ProtectedLikeness


@admin.register(ProtectedLikeness)
class ProtectedLikenessAdmin(admin.ModelAdmin[ProtectedLikeness]):
    """Staff review the registry here; entries are added from a photo with
    `manage.py cameo_registry_add NAME IMAGE` (the encoding is never shown)."""

    list_display = ("name", "reason", "created_at")
    fields = ("name", "reason")
