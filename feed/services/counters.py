"""Denormalised post counters: single UPDATE statements with F(), safe under concurrency.

hot_score moves with the engagement points in the same statement (SET expressions read the row
as it was before the update, hence the delta folded into the logarithm).
"""

from django.db.models import F, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Ln

from ..models import Post
from ..ranking import POINTS


def _points() -> CombinedExpression:
    terms = [F(name) * weight for name, weight in POINTS.items()]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def counter_add(*, post_id: int, field: str, delta: int) -> None:
    updates: dict[str, object] = {field: F(field) + delta}
    if field in POINTS:
        updates["hot_score"] = F("hot_base") + Ln(_points() + Value(1 + POINTS[field] * delta))
    Post.objects.filter(pk=post_id).update(**updates)
