"""What other apps may use of events: publish a notification to a user after the commit that
decided it (each app's events.py builds its payloads and calls this)."""

from .services import event_publish, sessions_ended_publish

__all__ = ["event_publish", "sessions_ended_publish"]
