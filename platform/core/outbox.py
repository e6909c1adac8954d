"""Transactional outbox: a task is queued in the same transaction as the change that decided it.

`task_send_on_commit` writes a row in the caller's transaction and sends it after commit. When
the broker refuses (down, unreachable) the client still gets its answer, since the work is
committed; the row stays unsent and `outbox_relay` (periodic) sends it once the broker is back.
Every committed task is sent at least once, so receivers must be idempotent (generation claims
a job with a run token; a second delivery does nothing).
"""

import functools
import logging
import threading
import time
from datetime import timedelta

import redis
from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from config.celery import app as celery_app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# One quick retry at send time: a longer wait belongs to the relay, not to a client's request.
SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                     "interval_max": 0.2}
SEND_ERRORS = (BrokerError, redis.RedisError, OSError)
KEEP_SENT = timedelta(days=1)
_import_lock = threading.Lock()
_skip_sends_until = 0.0  # after a refused send, requests leave sending to the relay a while


def task_send_on_commit(task: str, *args: str) -> None:
    """Queue `task(*args)` with the caller's transaction: nothing is sent if it rolls back."""
    message = OutboxMessage.objects.create(task=task, args=list(args))
    transaction.on_commit(functools.partial(_send_committed, message.pk))


def _send_committed(message_id: int) -> None:
    if time.monotonic() < _skip_sends_until:
        return  # the broker refused a moment ago: answer the client now, the relay sends it
    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is not None:
        _send(message)


def _registered(name: str) -> Task:
    """The task object (not send_task by name): routes apply, and eager mode runs it in place.
    Outside a worker the apps' tasks modules are imported on first use."""
    if name not in celery_app.tasks:
        with _import_lock:  # Celery imports them once; other threads must wait for it
            celery_app.loader.import_default_modules()
    return celery_app.tasks[name]


def _send(message: OutboxMessage) -> bool:
    global _skip_sends_until
    try:
        _registered(message.task).apply_async(args=message.args, retry=True,
                                               retry_policy=SEND_RETRY_POLICY)
    except SEND_ERRORS as exc:
        _skip_sends_until = time.monotonic() + settings.OUTBOX_SKIP_AFTER_REFUSAL_S
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:200])
        logger.warning("broker refused a task; the outbox relay will send it",
                       extra={"task": message.task, "outbox_id": message.pk,
                              "error": type(exc).__name__})
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(),
                                                       attempts=F("attempts") + 1)
    return True


def outbox_relay(*, older_than_s: float, batch: int = 500) -> int:
    """Send the rows the after-commit send could not; returns how many went out.

    Rows younger than `older_than_s` may still be on their way after commit. Locked rows are
    skipped, so two relays never send the same row at the same time.
    """
    global _skip_sends_until
    _skip_sends_until = 0.0  # the relay always asks the broker itself
    now = timezone.now()
    sent = 0
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            sent_at__isnull=True, created_at__lt=now - timedelta(seconds=older_than_s))
        for message in due.order_by("id")[:batch]:
            if not _send(message):
                break  # still refused: the next period tries again
            sent += 1
    OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    return sent
