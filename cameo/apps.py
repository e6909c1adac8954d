from django.apps import AppConfig


class CameoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cameo"
