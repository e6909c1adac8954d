"""Reports from users merge into one pending case per target."""

import pytest

from moderation.models import Case, CaseStatus, Priority

pytestmark = pytest.mark.django_db


def _report(client, target_type="clip", target_id="c1", reason="harassment", note=""):
    return client.post("/api/v1/reports", {"target_type": target_type, "target_id": target_id,
                                           "reason": reason, "note": note}, format="json")


def test_reports_on_one_target_merge_into_one_case(clips, make_user, login) -> None:
    owner = make_user("owner_olga")
    clips.add("c1", owner)
    first = _report(login(make_user("rep_a")), note="mean to my friend")
    assert first.status_code == 201, first.content
    second = _report(login(make_user("rep_b")), reason="hate")
    assert second.data["case_id"] == first.data["case_id"]
    case = Case.objects.get(pk=first.data["case_id"])
    assert case.status == CaseStatus.OPEN and case.owner_id == owner.pk
    assert case.report_count == 2 and case.category == "harassment"
    assert case.priority == Priority.HIGH  # raised by the hate report
    assert [e.kind for e in case.events.order_by("id")] == ["opened", "reported", "reported"]


def test_a_repeated_report_is_idempotent(clips, make_user, login) -> None:
    clips.add("c1", make_user("owner_olga"))
    client = login(make_user("rep_a"))
    first = _report(client)
    again = _report(client, reason="spam")
    assert again.status_code == 200 and again.data["id"] == first.data["id"]
    assert Case.objects.get().report_count == 1


def test_many_reports_raise_priority(clips, make_user, login) -> None:
    clips.add("c1", make_user("owner_olga"))
    for n in range(5):
        _report(login(make_user(f"rep_{n}")), reason="spam")
    assert Case.objects.get().priority == Priority.NORMAL  # LOW + one step


def test_account_reports_and_refusals(clips, make_user, login) -> None:
    target = make_user("troll_tim")
    reporter = make_user("rep_a")
    client = login(reporter)
    account = _report(client, target_type="account", target_id=str(target.pk))
    assert account.status_code == 201
    assert Case.objects.get(target_type="account").owner_id == target.pk
    cases = [
        (_report(client, target_type="account", target_id=str(reporter.pk)), 400,
         "moderation.cannot_report_self"),
        (_report(client, target_type="hologram"), 400, "moderation.unknown_target_type"),
        (_report(client, target_id="missing"), 404, "moderation.target_not_found"),
        (_report(client, reason="no_violation"), 400, "validation_error"),
        (_report(client, reason="bogus"), 400, "validation_error"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.data["error"]["code"]) == (status, code)


def test_reporting_needs_a_login(api) -> None:
    assert _report(api).status_code == 401


@pytest.mark.parametrize("target_type", ["account", "comment"])
@pytest.mark.parametrize("target_id", ["\u00b2", "9" * 30, "-3", "1.5"])
def test_a_target_id_that_is_no_id_is_not_found(target_type, target_id, make_user,
                                                login) -> None:
    """Numeric targets parse ASCII digits of an id's size only: "²" passes str.isdigit but
    not int(), and 30 digits overflow the database's ids (both were a 500)."""
    response = _report(login(make_user("rep_a")), target_type=target_type, target_id=target_id)
    assert response.status_code == 404, response.content
    assert response.data["error"]["code"] == "moderation.target_not_found"
    assert not Case.objects.exists()
