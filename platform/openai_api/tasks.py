"""Celery entry points of the door: webhook attempts and the sweep that retries them."""

from celery import shared_task

from .webhook_services import DELIVER_TASK, webhook_deliver, webhooks_retry_due


@shared_task(name=DELIVER_TASK)
def deliver_webhook(delivery_id: str) -> str:
    return webhook_deliver(delivery_id=int(delivery_id))


@shared_task(name="openai_api.tasks.retry_due_webhooks")
def retry_due_webhooks() -> int:
    return webhooks_retry_due()
