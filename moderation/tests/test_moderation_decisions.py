"""Decisions: checked by role and ownership, enforced, audited and announced."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation import facade
from moderation.models import Case, CaseStatus, Decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(clips, make_user, login):
    """Clip c1 by @owner_olga, reported by @rep_a: (owner, reporter, case)."""
    owner, reporter = make_user("owner_olga"), make_user("rep_a")
    clips.add("c1", owner)
    response = login(reporter).post("/api/v1/reports", {
        "target_type": "clip", "target_id": "c1", "reason": "violence"}, format="json")
    return owner, reporter, Case.objects.get(pk=response.data["case_id"])


def _decide(client, case_id, action, reason_code="violence", **extra):
    return client.post(f"/api/v1/moderation/cases/{case_id}/decide",
                       {"action": action, "reason_code": reason_code, **extra}, format="json")


@pytest.mark.parametrize("action", ["remove", "restrict", "label"])
def test_content_actions_go_through_the_registered_enforcer(
        action, reported, clips, moderator, login, events,
        django_capture_on_commit_callbacks) -> None:
    owner, reporter, case = reported
    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(login(moderator), case.pk, action, note="gore in frame 3")
    assert response.status_code == 201, response.content
    assert clips.state["c1"] == {action} and clips.calls == [("c1", action)]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIONED and case.decided_at is not None
    last = case.events.order_by("id").last()
    assert (last.kind, last.actor_id, last.reason) == ("decided", moderator.pk,
                                                        "gore in frame 3")
    [event] = events(owner, "moderation.decision")
    assert event["action"] == action and event["reason_code"] == "violence"
    assert event["appeal"]["endpoint"] == "/api/v1/appeals"
    assert event["appeal"]["body"]["decision_id"] == response.data["id"]
    assert events(reporter, "moderation.report_resolved") == [{"outcome": "actioned"}]


def test_dismiss_tells_only_the_reporters(reported, moderator, login, events) -> None:
    owner, reporter, case = reported
    assert _decide(login(moderator), case.pk, "dismiss", "no_violation").status_code == 201
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DISMISSED
    assert events(owner, "moderation.decision") == []
    assert events(reporter, "moderation.report_resolved") == [{"outcome": "no_violation"}]


def test_every_decision_needs_a_valid_reason(reported, moderator, login) -> None:
    _, _, case = reported
    client = login(moderator)
    missing = client.post(f"/api/v1/moderation/cases/{case.pk}/decide", {"action": "remove"},
                          format="json")
    assert missing.status_code == 400 and "reason_code" in missing.data["error"]["fields"]
    mismatched = _decide(client, case.pk, "remove", "no_violation")
    assert mismatched.data["error"]["code"] == "moderation.invalid_reason"
    assert _decide(client, case.pk, "remove").status_code == 201
    twice = _decide(client, case.pk, "label")
    assert twice.status_code == 409 and twice.data["error"]["code"] == "moderation.case_not_pending"


def test_nobody_reviews_their_own_content(clips, moderator, make_user, login) -> None:
    clips.add("mine", moderator)
    login(make_user("rep_a")).post("/api/v1/reports", {
        "target_type": "clip", "target_id": "mine", "reason": "spam"}, format="json")
    case = Case.objects.get()
    client = login(moderator)
    refused = _decide(client, case.pk, "dismiss", "no_violation")
    assert refused.status_code == 403 and refused.data["error"]["code"] == "moderation.own_content"
    assign = client.post(f"/api/v1/moderation/cases/{case.pk}/assign", {}, format="json")
    assert assign.status_code == 403


def test_warn_and_suspend_act_on_the_owner(reported, moderator, login, events) -> None:
    owner, _, case = reported
    response = _decide(login(moderator), case.pk, "suspend", suspend_days=3)
    assert response.status_code == 201
    assert facade.user_is_suspended(owner.pk)
    [event] = events(owner, "moderation.decision")
    assert event["action"] == "suspend" and event["suspended_until"]
    Decision.objects.filter(pk=response.data["id"]).update(
        suspended_until=timezone.now() - timedelta(seconds=1))
    assert not facade.user_is_suspended(owner.pk)  # suspensions end by themselves


def test_suspend_needs_a_duration(reported, moderator, login) -> None:
    _, _, case = reported
    response = _decide(login(moderator), case.pk, "suspend")
    assert response.data["error"]["code"] == "moderation.invalid_suspension"


def test_ban_needs_a_senior_and_ends_every_session(reported, moderator, senior, login) -> None:
    owner, _, case = reported
    owner_client = login(owner)
    refused = _decide(login(moderator), case.pk, "ban")
    assert refused.status_code == 403
    assert refused.data["error"]["code"] == "moderation.insufficient_role"
    assert _decide(login(senior), case.pk, "ban").status_code == 201
    owner.refresh_from_db()
    assert not owner.is_active and facade.user_is_suspended(owner.pk)
    assert owner_client.get("/api/v1/me").status_code == 401


def test_accounts_cannot_be_removed(make_user, moderator, login) -> None:
    troll = make_user("troll_tim")
    login(make_user("rep_a")).post("/api/v1/reports", {
        "target_type": "account", "target_id": str(troll.pk), "reason": "harassment"},
        format="json")
    case = Case.objects.get()
    client = login(moderator)
    refused = _decide(client, case.pk, "remove", "harassment")
    assert refused.data["error"]["code"] == "moderation.action_not_applicable"
    assert _decide(client, case.pk, "warn", "harassment").status_code == 201


def test_assign_release_and_hand_over(reported, moderator, other_moderator, make_user,
                                      login) -> None:
    _, _, case = reported
    client = login(moderator)
    url = f"/api/v1/moderation/cases/{case.pk}/assign"
    taken = client.post(url, {}, format="json")
    assert taken.status_code == 200 and taken.data["assignee"]["id"] == moderator.pk
    assert taken.data["status"] == "assigned"
    handed = client.post(url, {"assignee_id": other_moderator.pk}, format="json")
    assert handed.data["assignee"]["id"] == other_moderator.pk
    member = make_user("plain_pat")
    refused = client.post(url, {"assignee_id": member.pk}, format="json")
    assert refused.data["error"]["code"] == "moderation.invalid_assignee"
    released = client.post(url, {"assignee_id": None}, format="json")
    assert released.data["status"] == "open" and released.data["assignee"] is None
    kinds = [(e.from_status, e.to_status) for e in Case.objects.get(pk=case.pk).events.filter(
        kind="status")]
    assert kinds == [("open", "assigned"), ("assigned", "assigned"), ("assigned", "open")]
