"""Seconds per stage from timestamped progress events (shared by the generation benches)."""

import itertools

Event = tuple[float, str]


def stage_seconds(events: list[Event]) -> dict[str, float]:
    """Time spent in each stage, from (timestamp, stage) events in order."""
    spent: dict[str, float] = {}
    for (start, stage), (end, _) in itertools.pairwise(events):
        spent[stage] = spent.get(stage, 0.0) + end - start
    return {stage: round(seconds, 4) for stage, seconds in spent.items()}
