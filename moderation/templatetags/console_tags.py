from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """3725 -> "1h 2m"; the console shows ages and times to decision this way."""
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m" if mins else f"{int(seconds)}s"


@register.filter
def age(moment: datetime) -> str:
    return duration((timezone.now() - moment).total_seconds())


@register.filter
def percent(rate: float | None) -> str:
    """0.953 -> "95.3%"; None (nothing to divide by) -> "-"."""
    return "-" if rate is None else f"{rate:.1%}"
