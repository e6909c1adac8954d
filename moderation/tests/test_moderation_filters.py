"""Prompt and output checks over the term lists stored in the database."""

from datetime import date

import numpy as np
import pytest

from core.errors import DomainError
from moderation import facade
from moderation.models import Case, CaseSource, Term
from moderation.services import term_create

pytestmark = pytest.mark.django_db


def test_default_terms_are_seeded() -> None:
    assert Term.objects.filter(rule_id="sexual.nude", active=True).exists()
    assert Term.objects.count() >= 100


@pytest.mark.parametrize("prompt", [
    "a nude woman on a beach", "a NuD3 woman", "a n.u.d.e woman", "a n u d e woman",
])
def test_blocked_prompt_and_evasions_raise_422_with_codes(prompt: str) -> None:
    decision = facade.prompt_check(text=prompt, teen=False)
    assert decision.blocked and decision.codes == ("SAFETY.INPUT.SEXUAL",)
    assert "nude" not in decision.message.lower()  # never quotes the matched words
    with pytest.raises(DomainError) as raised:
        decision.raise_if_blocked()
    assert raised.value.status_code == 422
    assert raised.value.code == "moderation.prompt_blocked"
    assert raised.value.fields == {"codes": ["SAFETY.INPUT.SEXUAL"]}


def test_teen_follows_the_user_and_escalates_review(make_user) -> None:
    adult = make_user("adult_ann")
    teen = make_user("teen_tom", birthdate=date(date.today().year - 15, 1, 1))
    assert facade.prompt_check(text="an erotic dance", user_id=adult.pk).action == "review"
    assert facade.prompt_check(text="an erotic dance", user_id=teen.pk).action == "block"
    assert facade.prompt_check(text="a calm lake at dawn", user_id=teen.pk).action == "allow"


def test_owner_rules_apply_per_request() -> None:
    rules = facade.owner_rule_terms(["skydiving"], rule_id="cameo:7")
    decision = facade.prompt_check(text="me skydiving", teen=False, extra_rules=rules)
    assert decision.blocked and decision.codes == ("CAMEO.OWNER_RULE",)


def test_term_edits_apply_without_a_restart(moderator, login) -> None:
    client = login(moderator)
    assert facade.prompt_check(text="a glorbnak parade", teen=False).action == "allow"
    created = client.post("/api/v1/moderation/terms",
                          {"text": "glorbnak", "category": "hate"}, format="json")
    assert created.status_code == 201, created.content
    assert facade.prompt_check(text="a glorbnak parade", teen=False).codes == (
        "SAFETY.INPUT.HATE",)
    assert facade.prompt_check(text="a g.l.o.r.b.n.a.k parade", teen=False).blocked
    term_id = created.data["id"]
    client.patch(f"/api/v1/moderation/terms/{term_id}", {"action": "review"}, format="json")
    assert facade.prompt_check(text="a glorbnak parade", teen=False).action == "review"
    client.patch(f"/api/v1/moderation/terms/{term_id}", {"active": False}, format="json")
    assert facade.prompt_check(text="a glorbnak parade", teen=False).action == "allow"
    assert client.delete(f"/api/v1/moderation/terms/{term_id}").status_code == 204
    nude = Term.objects.get(rule_id="sexual.nude")
    client.patch(f"/api/v1/moderation/terms/{nude.pk}", {"active": False}, format="json")
    assert facade.prompt_check(text="a nude statue", teen=False).action == "allow"


def test_invalid_and_duplicate_terms_are_refused(moderator, login) -> None:
    client = login(moderator)
    empty = client.post("/api/v1/moderation/terms", {"text": "!!", "category": "hate"},
                        format="json")
    assert empty.status_code == 400 and empty.data["error"]["code"] == "moderation.invalid_term"
    again = client.post("/api/v1/moderation/terms",
                        {"text": "nude", "category": "sexual", "rule_id": "sexual.nude"},
                        format="json")
    assert again.status_code == 409 and again.data["error"]["code"] == "moderation.term_exists"


def test_review_prompt_opens_one_automatic_case(make_user) -> None:
    owner = make_user("creator_cat")
    decision = facade.prompt_check(text="an erotic dance", user_id=owner.pk)
    assert decision.needs_review
    case_id = facade.case_open_for_automatic_hit(
        target_type="video", target_id="v1", owner_id=owner.pk, codes=decision.codes,
        summary="an erotic dance")
    again = facade.case_open_for_automatic_hit(
        target_type="video", target_id="v1", owner_id=owner.pk,
        codes=["SAFETY.OUTPUT.CHECK_FAILED"], summary="output")
    assert again == case_id
    case = Case.objects.get(pk=case_id)
    assert case.source == CaseSource.AUTOMATIC and case.category == "sexual"
    assert case.codes == ["SAFETY.INPUT.SEXUAL", "SAFETY.OUTPUT.CHECK_FAILED"]
    assert [e.kind for e in case.events.order_by("id")] == ["opened", "automatic_hit",
                                                            "automatic_hit"]


def test_test_text_endpoint_shows_which_rule_fired(moderator, login) -> None:
    response = login(moderator).post("/api/v1/moderation/test-text",
                                     {"text": "a n.u.d.e figure"}, format="json")
    assert response.status_code == 200
    body = response.data
    assert body["action"] == "block" and body["codes"] == ["SAFETY.INPUT.SEXUAL"]
    [rule] = body["rules"]
    assert rule["rule_id"] == "sexual.nude" and rule["term"] == "nude"
    assert rule["via"] == "compact" and rule["matched"] == "n.u.d.e"


def test_output_check_uses_the_live_terms(moderator) -> None:
    y, x = np.mgrid[0:64, 0:96]
    frames = np.asarray([np.stack([(x + t * 8) % 256, (y * 2) % 256, np.full_like(x, 90)],
                                  axis=-1) for t in range(4)], dtype=np.uint8)
    calm = facade.output_check(frames=frames, prompt="a gradient", teen=False, context={})
    assert calm.action == "allow"
    term_create(actor=moderator, text="zzfoo", category="hate")
    flagged = facade.output_check(frames=frames, prompt="zzfoo", teen=False, context={})
    assert flagged.action == "block" and flagged.public()["codes"] == ["SAFETY.INPUT.HATE"]
