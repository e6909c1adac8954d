"""Cursor pagination everywhere: stable under inserts (no duplicates, no gaps)."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    # Ids are unique and monotonic, so the cursor never skips or repeats a row.
    ordering = "-id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CreatedCursorPagination(IdCursorPagination):
    """For tables with random (UUID) keys: newest first by creation time."""

    ordering = "-created_at"
