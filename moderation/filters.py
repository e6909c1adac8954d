"""The policy engine over the terms stored in the database, cached per process.

Each check reads the revision token (one primary-key query) and rebuilds the engine only
when a term edit changed it, so console edits apply everywhere without a deploy.
"""

import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from moderation.policy import Action, Category, Explanation, PolicyEngine, Term, Verdict
from moderation.policy.categories import CATEGORY_POLICIES
from moderation.policy.categories import ReasonCode as PolicyCode
from moderation.policy.output import check_output

from .models import PolicyRevision, ReasonCode
from .models import Term as TermRow

_lock = threading.Lock()
_cached: tuple[uuid.UUID | None, PolicyEngine] | None = None


def _revision() -> uuid.UUID | None:
    return PolicyRevision.objects.filter(pk=1).values_list("token", flat=True).first()


def policy_term(row: TermRow) -> Term:
    return Term(text=row.text, category=Category(row.category),
                action=Action(row.action) if row.action else None, id=row.rule_id,
                lang=row.lang, match=row.match)


def current_engine() -> PolicyEngine:
    global _cached
    revision = _revision()
    cached = _cached
    if cached is not None and cached[0] == revision:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != revision:
            rows = TermRow.objects.filter(active=True).order_by("id")
            _cached = (revision, PolicyEngine.build(policy_term(row) for row in rows))
        return _cached[1]


def prompt_verdict(text: str, *, teen: bool, extra_rules: Sequence[Term] = ()) -> Verdict:
    return current_engine().check(text, teen=teen, extra_rules=extra_rules)


def prompt_explain(text: str, *, teen: bool) -> dict[str, Any]:
    """The "test this text" result: the verdict and every rule that fired, with its term."""
    explanation: Explanation = current_engine().explain(text, teen=teen)
    return {
        **explanation.verdict.public(),
        "word_view": explanation.word_view,
        "compact_view": explanation.compact_view,
        "rules": [{"rule_id": m.rule_id, "term": term, "category": str(m.category),
                   "reason": str(m.reason), "action": str(m.action), "via": m.via,
                   "span": list(m.span) if m.span else None, "matched": m.matched}
                  for m, term in explanation.rules],
    }


def output_verdict(frames: np.ndarray, *, prompt: str, teen: bool,
                   context: Mapping[str, Any]) -> Verdict:
    return check_output(frames, prompt=prompt, teen=teen, context=context,
                        engine=current_engine())


_CATEGORY_OF_CODE: dict[str, str] = {
    **{str(policy.reason): str(category) for category, policy in CATEGORY_POLICIES.items()},
    # Output checks and cameo rules have no category entry of their own.
    str(PolicyCode.OUTPUT_NUDITY): ReasonCode.SEXUAL,
    str(PolicyCode.OUTPUT_LIKENESS): ReasonCode.IMPERSONATION,
    str(PolicyCode.OWNER_RULE): ReasonCode.IMPERSONATION,
    str(PolicyCode.INPUT_PUBLIC_FIGURE): ReasonCode.IMPERSONATION,
    str(PolicyCode.INPUT_CHARACTER): ReasonCode.COPYRIGHT,
    str(PolicyCode.INPUT_MUSIC): ReasonCode.COPYRIGHT,
    str(PolicyCode.INPUT_ARTIST_STYLE): ReasonCode.COPYRIGHT,
    # Weapons instructions go to the violence queue; drugs have no queue of their own.
    str(PolicyCode.INPUT_WEAPONS): ReasonCode.VIOLENCE,
    str(PolicyCode.INPUT_DRUGS): ReasonCode.OTHER,
}


def category_for_codes(codes: Sequence[str]) -> str:
    """The queue category of an automatic hit: that of its first (strictest) code."""
    for code in codes:
        category = _CATEGORY_OF_CODE.get(code)
        if category in ReasonCode.values:
            return category
    return ReasonCode.OTHER
