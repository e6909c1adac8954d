"""Input fields that take exactly what the schema says.

DRF's CharField turns a JSON number into text and its IntegerField takes any size of
number; ids past the database's bigint then overflowed the driver (a 500).
"""

from typing import Any

from rest_framework import serializers

# The largest id the database stores (bigint).
MAX_ID = 2**63 - 1


class StrictCharField(serializers.CharField):
    """A JSON string only: a number or a boolean is a validation error, not text."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class IdField(serializers.IntegerField):
    """A row id: a positive integer the database can hold."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
