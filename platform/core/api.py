"""Small helpers every API view uses."""

from typing import Any

from rest_framework.serializers import BaseSerializer


def validated(serializer_class: type[BaseSerializer[Any]], data: Any) -> dict[str, Any]:
    """Validate input with an explicit input serializer; errors become 400 validation_error."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
