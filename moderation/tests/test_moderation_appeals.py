"""Appeals: by the affected person only, once, decided by a different moderator."""

import pytest

from moderation import facade
from moderation.models import Appeal, Case, CaseStatus, Decision
from moderation.services import appeal_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(clips, make_user, moderator, login):
    """Clip c1 by @owner_olga removed by @mod_mia: a factory for (owner, decision)."""

    def _decided(action: str = "remove", moderator_user=None, **extra):
        owner = make_user("owner_olga")
        clips.add("c1", owner)
        case_id = login(make_user("rep_a")).post("/api/v1/reports", {
            "target_type": "clip", "target_id": "c1", "reason": "sexual"},
            format="json").data["case_id"]
        response = login(moderator_user or moderator).post(
            f"/api/v1/moderation/cases/{case_id}/decide",
            {"action": action, "reason_code": "sexual", **extra}, format="json")
        assert response.status_code == 201, response.content
        return owner, Decision.objects.get(pk=response.data["id"])

    return _decided


def _appeal(client, decision_id, statement="It was a statue in a museum."):
    return client.post("/api/v1/appeals", {"decision_id": decision_id, "statement": statement},
                       format="json")


def _decide_appeal(client, appeal_id, outcome, reason="Checked the frames again."):
    return client.post(f"/api/v1/moderation/appeals/{appeal_id}/decide",
                       {"outcome": outcome, "reason": reason}, format="json")


def test_overturned_appeal_reverses_enforcement(decided, clips, moderator, other_moderator,
                                                login, events) -> None:
    owner, decision = decided("remove")
    response = _appeal(login(owner), decision.pk)
    assert response.status_code == 201, response.content
    appeal_id = response.data["id"]
    assert Case.objects.get(pk=decision.case_id).status == CaseStatus.APPEALED
    listed = login(other_moderator).get("/api/v1/moderation/appeals").data["results"]
    assert [a["id"] for a in listed] == [appeal_id]
    own = _decide_appeal(login(moderator), appeal_id, "overturned")
    assert own.status_code == 403 and own.data["error"]["code"] == "moderation.own_decision"
    done = _decide_appeal(login(other_moderator), appeal_id, "overturned")
    assert done.status_code == 200 and done.data["status"] == "overturned"
    assert clips.state["c1"] == set() and clips.calls[-1] == ("c1", "unremove")
    decision.refresh_from_db()
    assert decision.reversed_at is not None
    case = Case.objects.get(pk=decision.case_id)
    assert case.status == CaseStatus.CLOSED
    assert case.events.last().kind == "appeal_decided"
    [event] = events(owner, "moderation.appeal_decided")
    assert event == {"appeal_id": appeal_id, "decision_id": decision.pk,
                     "outcome": "overturned", "reason": "Checked the frames again."}
    again = _decide_appeal(login(other_moderator), appeal_id, "upheld")
    assert again.status_code == 409


def test_upheld_appeal_keeps_enforcement(decided, clips, other_moderator, login,
                                         events) -> None:
    owner, decision = decided("restrict")
    appeal_id = _appeal(login(owner), decision.pk).data["id"]
    assert _decide_appeal(login(other_moderator), appeal_id, "upheld").status_code == 200
    assert clips.state["c1"] == {"restrict"}
    assert events(owner, "moderation.appeal_decided")[0]["outcome"] == "upheld"
    assert Decision.objects.get(pk=decision.pk).reversed_at is None


def test_only_the_affected_person_appeals_once(decided, make_user, login) -> None:
    owner, decision = decided("label")
    stranger = _appeal(login(make_user("nosy_ned")), decision.pk)
    assert stranger.status_code == 404
    assert stranger.data["error"]["code"] == "moderation.decision_not_found"
    client = login(owner)
    assert _appeal(client, decision.pk).status_code == 201
    twice = _appeal(client, decision.pk)
    assert twice.status_code == 409 and twice.data["error"]["code"] == "moderation.appeal_exists"
    assert Appeal.objects.count() == 1


def test_overturned_suspension_lifts_it(decided, other_moderator, login) -> None:
    owner, decision = decided("suspend", suspend_days=7)
    assert facade.user_is_suspended(owner.pk)
    appeal_id = _appeal(login(owner), decision.pk).data["id"]
    _decide_appeal(login(other_moderator), appeal_id, "overturned")
    assert not facade.user_is_suspended(owner.pk)


def test_ban_appeal_needs_a_senior_and_reactivates(decided, senior, other_moderator, make_user,
                                                   login) -> None:
    owner, decision = decided("ban", moderator_user=senior)
    owner.refresh_from_db()
    assert not owner.is_active
    # A banned account cannot log in: its appeal arrives through support, on its behalf.
    appeal = appeal_create(appellant=owner, decision_id=decision.pk, statement="Hacked.")
    refused = _decide_appeal(login(other_moderator), appeal.pk, "overturned")
    assert refused.data["error"]["code"] == "moderation.insufficient_role"
    other_senior = make_user("senior_sue", "senior_moderator")
    assert _decide_appeal(login(other_senior), appeal.pk, "overturned").status_code == 200
    owner.refresh_from_db()
    assert owner.is_active and not facade.user_is_suspended(owner.pk)
    assert login(owner).get("/api/v1/me").status_code == 200


def test_dismissals_cannot_be_appealed(decided_clip, login) -> None:
    owner, decision_id = decided_clip("spam", "dismiss", "no_violation")
    refused = _appeal(login(owner), decision_id)
    assert refused.data["error"]["code"] == "moderation.not_appealable"
