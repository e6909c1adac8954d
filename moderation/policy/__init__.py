"""Moderation policy library: prompt engine, classifiers and output checks.

Pure Python: importable without Django settings. The Django app feeds DB-stored terms into
PolicyEngine.build() and calls check_output() from generation.
"""

from .categories import (
    CATEGORY_POLICIES,
    COMBINED_RULES,
    Action,
    Category,
    CategoryPolicy,
    CombinedRule,
    ReasonCode,
)
from .engine import Explanation, PolicyEngine, default_engine
from .terms import DEFAULT_TERMS_PATH, Term, load_terms, owner_rule_terms
from .verdict import ALLOW, Match, Verdict

__all__ = [
    "ALLOW",
    "CATEGORY_POLICIES",
    "COMBINED_RULES",
    "DEFAULT_TERMS_PATH",
    "Action",
    "Category",
    "CategoryPolicy",
    "CombinedRule",
    "Explanation",
    "Match",
    "PolicyEngine",
    "ReasonCode",
    "Term",
    "Verdict",
    "default_engine",
    "load_terms",
    "owner_rule_terms",
]
