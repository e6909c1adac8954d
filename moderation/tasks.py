"""Worker hooks of moderation: the second-stage safety model loads when a worker process
starts, not inside the first job."""

from typing import Any

from celery.signals import worker_process_init

from .facade import prompt_model_warm


@worker_process_init.connect
def warm_safety_model(**_: Any) -> None:
    prompt_model_warm()
