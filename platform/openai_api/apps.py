from django.apps import AppConfig


class OpenAIApiConfig(AppConfig):
    """The OpenAI-compatible door (/v1): translates requests and responses onto the same
    services the app's /api/v1 uses; it holds no rule of its own."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "openai_api"
    verbose_name = "OpenAI-compatible API"

    def ready(self) -> None:
        from django.conf import settings

        from core.periodic import periodic_task_register
        from generation.facade import status_listener_register

        from .webhook_services import video_status_changed

        status_listener_register(video_status_changed)
        periodic_task_register(name="retry-due-webhooks",
                               task="openai_api.tasks.retry_due_webhooks",
                               every_s=settings.OPENAI_WEBHOOK_SWEEP_S)
