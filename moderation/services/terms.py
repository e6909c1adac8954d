"""Term list writes. Every edit changes the policy revision so cached engines rebuild."""

import uuid

from django.db import IntegrityError, transaction

from accounts.facade import User
from core.errors import ConflictError, DomainError
from core.lifecycle import row_lock_or_404
from moderation.policy import PolicyEngine
from moderation.policy.terms import MATCH_MODES, TERM_LANGUAGES

from ..filters import policy_term
from ..models import PolicyRevision, Term
from ..roles import check_moderator


def policy_revision_bump() -> None:
    PolicyRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


def _validate(term: Term) -> None:
    if term.category not in dict(Term._meta.get_field("category").choices or []):
        raise DomainError("moderation.invalid_term", "Unknown category.",
                          fields={"category": ["Invalid category."]})
    if term.lang and term.lang not in TERM_LANGUAGES:
        raise DomainError("moderation.invalid_term", "Unknown language.",
                          fields={"lang": ["Invalid language."]})
    if term.match not in MATCH_MODES:
        raise DomainError("moderation.invalid_term", "Unknown match mode.",
                          fields={"match": ["Invalid match mode."]})
    try:
        PolicyEngine.build([policy_term(term)])
    except ValueError as exc:
        raise DomainError("moderation.invalid_term",
                          "The term has no letters or digits left after normalisation.",
                          fields={"text": ["Nothing to match."]}) from exc


def _save(term: Term) -> Term:
    _validate(term)
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError as exc:
        raise ConflictError("moderation.term_exists", "A term with this id already exists.",
                            fields={"rule_id": ["Taken."]}) from exc
    policy_revision_bump()
    return term


@transaction.atomic
def term_create(*, actor: User, text: str, category: str, action: str = "",
                rule_id: str = "", active: bool = True, lang: str = "",
                match: str = "") -> Term:
    check_moderator(actor)
    text = text.strip()
    return _save(Term(rule_id=rule_id.strip() or f"{category}:{text.lower()}", text=text,
                      category=category, action=action, active=active, created_by=actor,
                      lang=lang, match=match))


def _term_lock(term_id: int) -> Term:
    return row_lock_or_404(Term.objects.filter(pk=term_id), code="moderation.term_not_found",
                           message="No such term.")


@transaction.atomic
def term_update(*, actor: User, term_id: int, text: str | None = None,
                category: str | None = None, action: str | None = None,
                active: bool | None = None) -> Term:
    check_moderator(actor)
    term = _term_lock(term_id)
    if text is not None:
        term.text = text.strip()
    if category is not None:
        term.category = category
    if action is not None:
        term.action = action
    if active is not None:
        term.active = active
    return _save(term)


@transaction.atomic
def term_delete(*, actor: User, term_id: int) -> None:
    check_moderator(actor)
    _term_lock(term_id).delete()
    policy_revision_bump()
