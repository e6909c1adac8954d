"""The Celery app: workers are "another interface" onto the same services as the API."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("castline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
