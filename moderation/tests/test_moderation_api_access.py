"""The moderator API: hidden from everyone else, filtered lists, case pages, stats."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import Case

pytestmark = pytest.mark.django_db

MODERATOR_URLS = [
    ("get", "/api/v1/moderation/cases"),
    ("get", "/api/v1/moderation/cases/1"),
    ("post", "/api/v1/moderation/cases/1/assign"),
    ("post", "/api/v1/moderation/cases/1/decide"),
    ("get", "/api/v1/moderation/appeals"),
    ("post", "/api/v1/moderation/appeals/1/decide"),
    ("get", "/api/v1/moderation/terms"),
    ("post", "/api/v1/moderation/terms"),
    ("patch", "/api/v1/moderation/terms/1"),
    ("post", "/api/v1/moderation/test-text"),
    ("get", "/api/v1/moderation/stats"),
]


@pytest.mark.parametrize(("method", "url"), MODERATOR_URLS)
def test_non_moderators_get_404(method, url, make_user, login, api) -> None:
    member = login(make_user("plain_pat"))
    response = getattr(member, method)(url, {}, format="json")
    assert response.status_code == 404 and response.data["error"]["code"] == "not_found"
    assert getattr(api, method)(url, {}, format="json").status_code == 401


def _open(clips, make_user, login, clip_id, reason):
    clips.add(clip_id, make_user(f"own_{clip_id}"))
    return login(make_user(f"rep_{clip_id}")).post("/api/v1/reports", {
        "target_type": "clip", "target_id": clip_id, "reason": reason},
        format="json").data["case_id"]


def test_case_list_filters_and_cursor(clips, make_user, moderator, login) -> None:
    ids = {reason: _open(clips, make_user, login, f"c_{reason}", reason)
           for reason in ("minors", "spam", "hate")}
    Case.objects.filter(pk=ids["spam"]).update(opened_at=timezone.now() - timedelta(hours=30))
    client = login(moderator)
    everything = client.get("/api/v1/moderation/cases").data
    assert [c["id"] for c in everything["results"]] == sorted(ids.values(), reverse=True)
    assert [c["id"] for c in client.get("/api/v1/moderation/cases?category=minors")
            .data["results"]] == [ids["minors"]]
    assert [c["id"] for c in client.get("/api/v1/moderation/cases?priority=4")
            .data["results"]] == [ids["minors"]]
    assert [c["id"] for c in client.get("/api/v1/moderation/cases?older_than_hours=24")
            .data["results"]] == [ids["spam"]]
    page = client.get("/api/v1/moderation/cases?page_size=2").data
    rest = client.get(page["next"]).data
    assert len(page["results"]) == 2 and len(rest["results"]) == 1
    assert client.get("/api/v1/moderation/cases?status=actioned").data["results"] == []
    bad = client.get("/api/v1/moderation/cases?priority=9")
    assert bad.status_code == 400


def test_case_detail_shows_target_reports_and_history(clips, make_user, moderator,
                                                      login) -> None:
    case_id = _open(clips, make_user, login, "c1", "violence")
    body = login(moderator).get(f"/api/v1/moderation/cases/{case_id}").data
    assert body["target"]["video_url"] == "/media/clips/c1.mp4"
    assert body["target"]["provenance"] == {"c2pa": "valid", "watermark": "found"}
    assert [r["reporter"]["handle"] for r in body["reports"]] == ["rep_c1"]
    assert [e["kind"] for e in body["events"]] == ["opened", "reported"]
    assert body["owner"]["handle"] == "own_c1" and body["related"] == []
    missing = login(moderator).get("/api/v1/moderation/cases/999999")
    assert missing.status_code == 404


def test_stats_report_queue_and_time_to_decision(clips, make_user, moderator, login) -> None:
    ids = [_open(clips, make_user, login, f"c{n}", "spam") for n in range(3)]
    client = login(moderator)
    for minutes, case_id in zip((10, 30), ids, strict=False):
        Case.objects.filter(pk=case_id).update(
            opened_at=timezone.now() - timedelta(minutes=minutes))
        client.post(f"/api/v1/moderation/cases/{case_id}/decide",
                    {"action": "dismiss", "reason_code": "no_violation"}, format="json")
    stats = client.get("/api/v1/moderation/stats").data
    assert stats["queue_size"] == 1 and stats["decided_30d"] == 2
    assert 590 <= stats["time_to_decision_p50_s"] <= 660
    assert 1790 <= stats["time_to_decision_p90_s"] <= 1860
    assert stats["by_category"] == {"spam": 1}


def test_lists_load_related_rows_once_per_page(clips, make_user, moderator, login,
                                               django_assert_max_num_queries) -> None:
    for n in range(6):
        _open(clips, make_user, login, f"c{n}", "spam")
    client = login(moderator)
    # auth (user + session), the page, and nothing per row
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/moderation/cases").data["results"]) == 6
