from django.apps import AppConfig


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the safety model check
        from .account_target import account_target_register

        account_target_register()
