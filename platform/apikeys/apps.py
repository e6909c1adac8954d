from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI auth extension
