"""Deploy-time checks: a configured safety model directory that cannot work stops
`manage.py check` (and migrate, runserver) with a clear message instead of failing jobs later."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from moderation.policy.safety_model import SafetyFormat, SafetyModelError, detect_format

_HINT = ("Download the model ahead of time (README: Second-stage safety model) or unset "
         "MODERATION_SAFETY_MODEL_PATH.")


@register()
def safety_model_check(app_configs: Any = None, **_: Any) -> list[Error]:
    path = settings.MODERATION_SAFETY_MODEL_PATH
    fmt = settings.MODERATION_SAFETY_MODEL_FORMAT
    if fmt and fmt not in {str(f) for f in SafetyFormat}:
        return [Error(f"MODERATION_SAFETY_MODEL_FORMAT={fmt!r} is none of "
                      f"{[str(f) for f in SafetyFormat]}", id="moderation.E001")]
    if not path:
        return []
    directory = Path(path)
    try:
        if fmt:  # an explicit format: any readable config will do
            json.loads((directory / "config.json").read_text())
        else:
            detect_format(directory)
    except (OSError, ValueError, SafetyModelError) as exc:
        return [Error(f"MODERATION_SAFETY_MODEL_PATH: {exc}", id="moderation.E002", hint=_HINT)]
    if not any(directory.glob("*.safetensors")) and not any(directory.glob("*.bin")):
        return [Error(f"MODERATION_SAFETY_MODEL_PATH: no weights (*.safetensors) in {path}",
                      id="moderation.E003", hint=_HINT)]
    return []
