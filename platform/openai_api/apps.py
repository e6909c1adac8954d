from django.apps import AppConfig


class OpenAIApiConfig(AppConfig):
    """The OpenAI-compatible door (/v1): translates requests and responses onto the same
    services the app's /api/v1 uses; it holds no rule of its own."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "openai_api"
    verbose_name = "OpenAI-compatible API"

    def ready(self) -> None:
        from generation.facade import status_listener_register

        from .webhook_services import video_status_changed

        status_listener_register(video_status_changed)
