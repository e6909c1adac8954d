"""The /verify page in a real headless Chromium, signed out: a remix, as downloaded and as a
stripped re-upload, reads in plain words (model, when, who, credentials, lineage with
thumbnails); a file that is no video says why."""

import re
import time
from pathlib import Path

import pytest

from feed.services import post_publish
from feed.services.publishing import PostSettings
from generation.models import ManifestRecord, Video
from generation.pipeline import video_run
from generation.tests.reupload import strip
from tests.browser import chromium_page

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]



def generate(client, path: str, body: dict) -> Video:
    response = client.post(path, body, format="json")
    assert response.status_code == 202, response.content
    video_id = response.json()["id"]
    video_run(video_id=video_id)  # in process: a no-op where a worker already took it
    # In the integration tier the session's real worker (tests/integration) consumes the same
    # queue and may have taken the job first: wait for whoever runs it to finish.
    deadline = time.monotonic() + 180
    video = Video.objects.get(pk=video_id)
    while video.status in (Video.Status.QUEUED, Video.Status.IN_PROGRESS) and \
            time.monotonic() < deadline:
        time.sleep(0.5)
        video = Video.objects.get(pk=video_id)
    assert video.status == Video.Status.COMPLETED, video.error_code
    return video


def test_drop_a_remix_intact_and_stripped(chromium_path, live_server, tmp_path, user_factory,
                                          login) -> None:
    from playwright.sync_api import expect

    ana, ben = user_factory(handle="ana"), user_factory(handle="ben")
    source = generate(login(ana), "/api/v1/videos",
                      {"prompt": "a red fox running through snow", "seconds": 4})
    post_publish(user=ana, video_id=source.pk, settings=PostSettings(caption="fox", hashtags=[]))
    remix = generate(login(ben), f"/api/v1/videos/{source.pk}/remix",
                     {"prompt": "the same fox at night"})
    manifest_id = ManifestRecord.objects.get(video=remix).manifest_id
    intact = tmp_path / "remix.mp4"
    intact.write_bytes(Path(remix.video_file.path).read_bytes())
    stripped = tmp_path / "reupload.mp4"
    stripped.write_bytes(strip(intact))
    garbage = tmp_path / "notes.mp4"
    garbage.write_bytes(b"this is not a video")

    with chromium_page(tmp_path / "chromium-profile", chromium_path) as page:
        page.goto(f"{live_server.url}/verify")
        expect(page.locator("h1")).to_have_text("Where does this video come from?")

        page.set_input_files("#file", str(intact))
        expect(page.locator("#verdict")).to_have_text("Made with Castline (AI-generated)",
                                                      timeout=120_000)
        expect(page.locator("#made-with")).to_have_text(remix.model_name)
        expect(page.locator("#made-by")).to_have_text("@ben")
        expect(page.locator("#made-when")).to_contain_text(
            remix.created_at.strftime("%d %b %Y"))
        expect(page.locator("#consents")).to_have_text("No cameo appears in it.")
        expect(page.locator("#manifest-status")).to_have_text(
            "Embedded in the file: valid and trusted.")
        lineage = page.locator("#lineage li")
        expect(lineage).to_have_count(2)
        expect(lineage.nth(0)).to_have_attribute("data-video", str(remix.pk))
        expect(lineage.nth(0)).to_contain_text("this video: @ben")
        expect(lineage.nth(1)).to_have_attribute("data-video", str(source.pk))
        expect(lineage.nth(1)).to_contain_text("remix source: @ana")
        expect(page.locator("#lineage li img")).to_have_count(2)
        expect(page.locator("#lineage li img").nth(1)).to_have_attribute(
            "src", re.compile(r"^data:image/jpeg;base64,/9j/"))

        page.set_input_files("#file", str(stripped))
        expect(page.locator("#manifest-status")).to_have_text(
            f"Stripped from this copy; the original manifest ({manifest_id}) was found "
            "through the watermark: valid and trusted.", timeout=120_000)
        expect(page.locator("#made-by")).to_have_text("@ben")
        expect(page.locator("#made-with")).to_have_text(remix.model_name)
        expect(page.locator("#lineage li")).to_have_count(2)

        page.set_input_files("#file", str(garbage))
        expect(page.locator("#error")).to_have_text(
            "The file is not a video or picture we can read. (provenance.unreadable)",
            timeout=60_000)
        expect(page.locator("#result")).to_be_hidden()
