"""Cursor pagination everywhere: stable under inserts (no duplicates, no gaps).

DRF's CursorPagination for the app API's lists; `keyset_page` for pages that name the row to
start after (the /v1 door's `after=<id>`).
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import IntegerField, Model, Q, QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

BIGINT_MAX = 2**63 - 1


class IdCursorPagination(CursorPagination):
    # Ids are unique and monotonic, so the cursor never skips or repeats a row.
    ordering: str | tuple[str, ...] = "-id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        # DRF silently falls back to the default for 0, -1 or "x" and clamps 10**20; a client
        # asking for an impossible page is told so.
        raw = request.query_params.get(self.page_size_query_param or "")
        if raw is None:
            return int(self.page_size or 20)
        size = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
        if not 1 <= size <= (self.max_page_size or 100):
            raise ValidationError({self.page_size_query_param or "page_size": [
                f"A whole number from 1 to {self.max_page_size}."]})
        return size

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request,
                          view: APIView | None = None) -> list[Any] | None:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF checks the cursor's encoding but filters by whatever position it holds: a
        # crafted cursor ("p=x" where ids are numbers) was a 500 from the database layer.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None \
                and not self._position_fits(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def _position_fits(self, position: object) -> bool:
        """Whether a cursor's position is a value of the field the page is ordered by."""
        ordering = self.ordering if isinstance(self.ordering, (list, tuple)) \
            else [self.ordering]
        field = self._model._meta.get_field(str(ordering[0]).lstrip("-"))
        try:
            value = field.to_python(position)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            return False
        if value is None:
            return False
        return not isinstance(field, IntegerField) or -BIGINT_MAX <= int(value) <= BIGINT_MAX


class CreatedCursorPagination(IdCursorPagination):
    """For tables with random (UUID) keys: newest first by creation time."""

    ordering = "-created_at"


_M = TypeVar("_M", bound=Model)


def keyset_page(rows: QuerySet[_M], *, order: Sequence[str], after: Q | None, limit: int
                ) -> tuple[list[_M], bool] | None:
    """Up to `limit` rows in `order` (field names, "-" for descending; the last one unique)
    that come after the row `after` selects, and whether more follow. None when `after`
    selects no row (callers answer that as an error or an empty page)."""
    if after is not None:
        fields = [field.lstrip("-") for field in order]
        anchor = rows.filter(after).values(*fields).first()
        if anchor is None:
            return None
        later = Q()
        for i, field in enumerate(order):
            op = "lt" if field.startswith("-") else "gt"
            ties = {name: anchor[name] for name in fields[:i]}
            later |= Q(**ties, **{f"{fields[i]}__{op}": anchor[fields[i]]})
        rows = rows.filter(later)
    page = list(rows.order_by(*order)[:limit + 1])
    return page[:limit], len(page) > limit
