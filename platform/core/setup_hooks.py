"""Apps register idempotent first-run steps (e.g. the dev C2PA CA) that `castline_setup` runs."""

from collections.abc import Callable

SetupHook = Callable[[], str]
_hooks: list[SetupHook] = []


def setup_hook_register(hook: SetupHook) -> None:
    _hooks.append(hook)


def run_setup_hooks() -> list[str]:
    return [hook() for hook in _hooks]
