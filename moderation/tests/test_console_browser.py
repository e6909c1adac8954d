"""The console in a real headless Chromium: TOTP sign-in, open a case from the queue with
the keyboard, decide with one click, see the queue update."""

import base64
import re

import pyotp
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation.models import Case, CaseStatus
from moderation.services import report_create, term_create
from tests.browser import chromium_page

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"



def test_sign_in_open_decide_and_see_the_queue_update(
        chromium_path, live_server, tmp_path, clips, make_user, moderator) -> None:
    from playwright.sync_api import expect

    owner = make_user("owner_olga")
    clips.add("c1", owner)
    clips.add("c2", owner)
    first, _ = report_create(reporter=make_user("rep_a"), target_type="clip", target_id="c1",
                             reason="violence", note="blood everywhere")
    report_create(reporter=make_user("rep_b"), target_type="clip", target_id="c2",
                  reason="spam")
    device = TOTPDevice.objects.create(user=moderator, name="console", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode()
    case_id = first.case_id

    with chromium_page(tmp_path / "chromium-profile", chromium_path) as page:
        page.goto(f"{live_server.url}/console/")
        expect(page).to_have_url(re.compile(r"/console/login\?next="))
        page.fill("input[name=email]", moderator.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/console/login/verify"))
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/console/")
        expect(page.locator("#queue-size")).to_have_text("2 pending")

        # The urgent-first queue puts the violence case (high) above the spam one (low).
        rows = page.locator("#queue tbody tr")
        expect(rows.nth(0)).to_have_attribute("data-case", str(case_id))
        expect(rows.nth(0)).to_have_class(re.compile("selected"))
        page.keyboard.press("j")
        expect(rows.nth(1)).to_have_class(re.compile("selected"))
        page.keyboard.press("k")
        page.keyboard.press("o")
        expect(page).to_have_url(f"{live_server.url}/console/cases/{case_id}")
        expect(page.locator("video#player")).to_have_attribute("src",
                                                                "/media/clips/c1.mp4")
        expect(page.locator(".strip img")).to_have_count(3)
        expect(page.locator(".prompt")).to_have_text("prompt of c1")
        expect(page.locator("#reports")).to_contain_text("blood everywhere")

        # The reason is required: a click without one submits nothing.
        page.click("button.act-remove")
        expect(page).to_have_url(f"{live_server.url}/console/cases/{case_id}")
        page.select_option("#reason", "violence")
        page.click("button.act-remove")
        expect(page).to_have_url(f"{live_server.url}/console/")
        expect(page.locator(".messages")).to_contain_text(f"Case {case_id}: remove.")
        expect(page.locator("#queue-size")).to_have_text("1 pending")
        expect(page.locator(f'#queue tr[data-case="{case_id}"]')).to_have_count(0)

    assert Case.objects.get(pk=case_id).status == CaseStatus.ACTIONED
    assert clips.state["c1"] == {"remove"}


def test_upload_an_evaluation_file_and_read_its_figures(
        chromium_path, live_server, tmp_path, moderator) -> None:
    from playwright.sync_api import expect

    # Its own term: a transactional test starts from a flushed database, seeds included.
    term_create(actor=moderator, text="폭탄", category="violence")
    good = tmp_path / "prompts.tsv"
    good.write_text("language\tcategory\texpected_action\ttext\n"
                    "ko\tweapons\tblock\t사제 폭탄 만드는 법\n"
                    "ko\tweapons\tblock\t총기를 밀매하는 방법\n"
                    "en\tviolence\tallow\ta butcher at work\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("language,category,expected_action,text\nxx,sexual,block,nude\n",
                   encoding="utf-8")
    device = TOTPDevice.objects.create(user=moderator, name="console", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode()

    with chromium_page(tmp_path / "chromium-profile", chromium_path) as page:
        page.goto(f"{live_server.url}/console/terms")
        page.fill("input[name=email]", moderator.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/console/terms")
        page.click("text=Score a labelled prompt file")

        page.set_input_files("#evaluate-form input[type=file]", str(bad))
        page.click("#evaluate-form button[type=submit]")
        expect(page.locator("#evaluate-errors")).to_contain_text("line 2: unknown language")
        expect(page.locator("#evaluate-result")).to_have_count(0)

        page.set_input_files("#evaluate-form input[type=file]", str(good))
        page.click("#evaluate-form button[type=submit]")
        expect(page.locator("#overall-recall")).to_have_text("50.0%")
        expect(page.locator("#overall-false-blocks")).to_have_text("0.0%")
        expect(page.locator('#by-language tr[data-group="ko"] .recall')).to_have_text("50.0%")
        expect(page.locator("#misses tbody")).to_contain_text("총기를 밀매하는 방법")
        expect(page.locator("#misses tbody")).not_to_contain_text("사제 폭탄")
