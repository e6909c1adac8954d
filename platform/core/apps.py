from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "API conventions"

    def ready(self) -> None:
        from django.conf import settings
        from django.urls import register_converter

        from .converters import IdConverter
        from .periodic import periodic_task_register

        # Before any URLconf is imported: the apps' urls use <id:...> for integer ids.
        register_converter(IdConverter, "id")
        periodic_task_register(name="relay-outbox", task="core.tasks.relay_outbox",
                               every_s=settings.OUTBOX_RELAY_INTERVAL_S)
