"""Request parsers with bounds: hostile JSON is a 400 `request.malformed`, never a 500.

The standard library's decoder recurses once per nesting level, so JSON nested a thousand
deep raises RecursionError (a 500) in the parser, or parses and then blows the stack in
validation or rendering. No request body of this API nests deeper than a few levels.
"""

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

DEFAULT_MAX_JSON_DEPTH = 32


def json_depth_limit() -> int:
    return int(getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def json_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether `data` nests containers deeper than `limit` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _refuse_constant(name: str) -> None:
    # As DRF's strict JSON: NaN and Infinity are not JSON.
    raise ValueError(f"{name} is not valid JSON")


def json_loads_bounded(text: str | bytes) -> Any:
    """json.loads with a nesting bound; raises ParseError (400 `request.malformed`)."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply.") from exc
    except ValueError as exc:
        raise ParseError(f"JSON parse error - {exc}") from exc
    if json_depth_exceeds(data, json_depth_limit()):
        raise ParseError(f"JSON nested deeper than {json_depth_limit()} levels.")
    return data


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSONParser plus a nesting bound."""

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        return json_loads_bounded(text)

