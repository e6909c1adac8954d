"""Moderation writes, one module per concern."""

from .appeals import appeal_create, appeal_transition
from .cases import case_assign, case_open_for_automatic_hit, case_transition, report_create
from .decisions import case_decide
from .terms import policy_revision_bump, term_create, term_delete, term_update

__all__ = [
    "appeal_create",
    "appeal_transition",
    "case_assign",
    "case_decide",
    "case_open_for_automatic_hit",
    "case_transition",
    "policy_revision_bump",
    "report_create",
    "term_create",
    "term_delete",
    "term_update",
]
