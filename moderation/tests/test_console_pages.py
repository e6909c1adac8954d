"""The console's server-rendered pages through Django's test client (the browser test drives
the same flow in Chromium)."""

import base64
from io import StringIO

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation.models import Case, CaseStatus, Term
from moderation.services import appeal_create

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def _code(device: TOTPDevice) -> str:
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()


@pytest.fixture
def console():
    """A browser-like client signed in to the console with password + TOTP."""

    def _console(user) -> Client:
        device = TOTPDevice.objects.create(user=user, name="console", confirmed=True)
        client = Client()
        step1 = client.post("/console/login", {"email": user.email, "password": PASSWORD})
        assert step1.status_code == 302 and "/console/login/verify" in step1["Location"]
        step2 = client.post(step1["Location"], {"code": _code(device)})
        assert step2.status_code == 302, step2.content
        return client

    return _console


def test_pages_need_both_factors(moderator, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp delays retries after a wrong code
    client = Client()
    assert client.get("/console/")["Location"] == "/console/login?next=%2Fconsole%2F"
    device = TOTPDevice.objects.create(user=moderator, name="console", confirmed=True)
    client.post("/console/login", {"email": moderator.email, "password": PASSWORD})
    assert client.get("/console/").status_code == 302  # password alone opens nothing
    wrong = client.post("/console/login/verify", {"code": "000000"})
    assert b"Wrong or expired code" in wrong.content
    assert client.post("/console/login/verify", {"code": _code(device)}).status_code == 302
    assert client.get("/console/").status_code == 200


def test_members_cannot_sign_in_and_demoted_staff_see_nothing(make_user, moderator,
                                                              console) -> None:
    member = make_user("plain_pat")
    refused = Client().post("/console/login", {"email": member.email, "password": PASSWORD})
    assert refused.status_code == 200 and b"no console access" in refused.content
    client = console(moderator)
    moderator.role = "member"
    moderator.save(update_fields=["role"])
    assert client.get("/console/").status_code == 404


def test_first_sign_in_enrols_an_authenticator(moderator) -> None:
    client = Client()
    step1 = client.post("/console/login?next=/console/terms",
                        {"email": moderator.email, "password": PASSWORD})
    assert "/console/login/setup" in step1["Location"]
    page = client.get(step1["Location"])
    assert b"<svg" in page.content and b"otpauth://totp/" in page.content
    device = TOTPDevice.objects.get(user=moderator, confirmed=False)
    done = client.post(step1["Location"], {"code": _code(device)})
    assert done["Location"] == "/console/terms"
    assert TOTPDevice.objects.get(user=moderator).confirmed


def test_queue_case_page_and_one_click_decision(clips, make_user, moderator, console,
                                                login) -> None:
    clips.add("c1", make_user("owner_olga"))
    case_id = login(make_user("rep_a")).post("/api/v1/reports", {
        "target_type": "clip", "target_id": "c1", "reason": "violence", "note": "blood"},
        format="json").data["case_id"]
    client = console(moderator)
    queue = client.get("/console/?category=violence").content.decode()
    assert f'data-case="{case_id}"' in queue
    assert f'data-case="{case_id}"' not in client.get("/console/?category=spam").content.decode()
    page = client.get(f"/console/cases/{case_id}").content.decode()
    assert 'src="/media/clips/c1.mp4"' in page and "c1-2.jpg" in page
    assert "prompt of c1" in page and "c2pa" in page and "blood" in page
    no_reason = client.post(f"/console/cases/{case_id}/decide", {"action": "remove"},
                            follow=True)
    assert b"Pick a decision and a reason" in no_reason.content
    assert Case.objects.get(pk=case_id).status == CaseStatus.OPEN
    done = client.post(f"/console/cases/{case_id}/decide",
                       {"action": "remove", "reason_code": "violence"}, follow=True)
    assert done.redirect_chain[-1][0] == "/console/"
    assert f'data-case="{case_id}"' not in done.content.decode()
    assert clips.state["c1"] == {"remove"}


def test_refusals_show_as_messages(clips, moderator, make_user, console, login) -> None:
    clips.add("mine", moderator)
    case_id = login(make_user("rep_a")).post("/api/v1/reports", {
        "target_type": "clip", "target_id": "mine", "reason": "spam"},
        format="json").data["case_id"]
    client = console(moderator)
    page = client.get(f"/console/cases/{case_id}")
    assert b"your own content" in page.content
    refused = client.post(f"/console/cases/{case_id}/decide",
                          {"action": "dismiss", "reason_code": "no_violation"}, follow=True)
    assert b"moderation.own_content" in refused.content


def test_appeals_queue_decides_with_another_moderator(decided_clip, clips, moderator,
                                                      other_moderator, console) -> None:
    owner, decision_id = decided_clip("sexual", "label", "sexual")
    appeal = appeal_create(appellant=owner, decision_id=decision_id, statement="Art.")
    client = console(other_moderator)
    page = client.get("/console/appeals").content.decode()
    assert "Art." in page and f"/console/appeals/{appeal.pk}/decide" in page
    decider_page = console(moderator).get("/console/appeals").content.decode()
    assert "another moderator must decide it" in decider_page
    done = client.post(f"/console/appeals/{appeal.pk}/decide",
                       {"outcome": "overturned", "reason": "It is art."}, follow=True)
    assert b"No pending appeals" in done.content
    assert clips.state["c1"] == set()


def test_terms_editor_and_test_tool(moderator, console) -> None:
    client = console(moderator)
    tested = client.post("/console/terms", {"text": "a n.u.d.e figure"}).content.decode()
    assert "sexual.nude" in tested and "compact" in tested
    client.post("/console/terms/add", {"text": "zorblax", "category": "hate", "action": ""})
    term = Term.objects.get(text="zorblax")
    result = client.post("/console/terms", {"text": "zorblax rally"}).content.decode()
    assert f"<td>{term.rule_id}</td><td>zorblax</td><td>hate</td><td>block</td>" in result
    client.post(f"/console/terms/{term.pk}", {"action": "review"})  # unchecked: inactive
    term.refresh_from_db()
    assert (term.action, term.active) == ("review", False)
    client.post(f"/console/terms/{term.pk}", {"delete": "1"})
    assert not Term.objects.filter(pk=term.pk).exists()
    # Each category holds hundreds of shipped terms (one page shows 500): the filters find one.
    found = client.get("/console/terms?category=sexual&q=nude").content
    assert b"sexual.nude" in found and b"hate." not in found


def test_a_case_that_does_not_exist_is_a_404_page(moderator, console) -> None:
    client = console(moderator)
    for path in ("/console/cases/0", "/console/cases/999999999999999999"):
        assert client.get(path).status_code == 404


def test_dashboard(moderator, console) -> None:
    page = console(moderator).get("/console/dashboard").content.decode()
    assert 'id="stat-queue">0<' in page and "time to decision p50" in page


def test_totp_setup_command(moderator, make_user) -> None:
    out = StringIO()
    call_command("console_totp_setup", moderator.email, "--no-qr", stdout=out)
    assert out.getvalue().startswith("otpauth://totp/")
    assert TOTPDevice.objects.get(user=moderator).confirmed
    with pytest.raises(CommandError, match="--replace"):
        call_command("console_totp_setup", moderator.email, stdout=StringIO())
    call_command("console_totp_setup", moderator.email, "--replace", stdout=StringIO())
    assert TOTPDevice.objects.filter(user=moderator).count() == 1
    with pytest.raises(CommandError, match="no moderator role"):
        call_command("console_totp_setup", make_user("plain_pat").email, stdout=StringIO())
