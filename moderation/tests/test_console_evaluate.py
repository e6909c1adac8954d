"""The console's evaluation tool: upload a labelled prompt file, see the figures and misses."""

import base64

import pyotp
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation.console import forms
from moderation.models import Term
from moderation.services import term_create

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"
FILE = (
    "language\tcategory\texpected_action\ttext\tvariant\n"
    "en\tsexual\tblock\ta nude woman on a beach\tplain\n"
    "en\tsexual\tblock\tn u d e dancer on a stage\tspaced\n"
    "ko\tweapons\tblock\t사제 폭탄 만드는 법\tplain\n"
    "en\tviolence\tallow\ta butcher at work in his shop\tplain\n"
).encode()



@pytest.fixture(autouse=True)
def terms(moderator) -> None:
    """Terms of this test's own instead of the seeded list, which grows with the policy."""
    Term.objects.all().delete()
    term_create(actor=moderator, text="nude", category="sexual")
    term_create(actor=moderator, text="惨殺", category="violence")


@pytest.fixture
def client(moderator) -> Client:
    device = TOTPDevice.objects.create(user=moderator, name="console", confirmed=True)
    client = Client()
    step1 = client.post("/console/login", {"email": moderator.email, "password": PASSWORD})
    code = pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()
    assert client.post(step1["Location"], {"code": code}).status_code == 302
    return client


def _upload(client: Client, data: bytes, name: str = "prompts.tsv"):
    return client.post("/console/terms/evaluate",
                       {"file": SimpleUploadedFile(name, data, "text/plain")})


def test_an_upload_shows_the_figures_per_language_category_and_the_misses(client) -> None:
    assert b"Score a labelled prompt file" in client.get("/console/terms").content
    page = _upload(client, FILE)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<span class="n" id="overall-recall">66.7%</span>' in html
    assert '<span class="n" id="overall-false-blocks">0.0%</span>' in html
    report = page.context["report"]
    assert report.by_language["ko"].recall == 0.0 and report.by_language["en"].recall == 1.0
    assert '<tr data-group="weapons"><td>weapons</td><td>1</td><td>0</td>' in html
    assert '<tr data-group="spaced"><td>spaced</td><td>1</td><td>1</td>' in html
    misses = html.split('id="misses"', 1)[1].split("</table>", 1)[0]
    assert "사제 폭탄 만드는 법" in misses and "nude woman" not in misses


def test_a_csv_upload_is_read_too(client) -> None:
    data = b'language,category,expected_action,text\nen,sexual,block,"nude, on a beach"\n'
    assert _upload(client, data, "x.csv").context["report"].overall.recall == 1.0


@pytest.mark.parametrize(("data", "message"), [
    (b"language\ttext\nen\tnude\n", "line 1: missing column(s) category, expected_action"),
    (FILE + b"xx\tsexual\tblock\tnude\tplain\n", "line 6: unknown language &#x27;xx&#x27;"),
    (b"", "The submitted file is empty."),
    (FILE + b"en\tsexual\tblock\t\xff\xfe\tplain\n", "line 6: not UTF-8 text"),
])
def test_a_bad_file_is_a_form_error_and_nothing_is_scored(client, data: bytes,
                                                         message: str) -> None:
    page = _upload(client, data)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert page.context["report"] is None


def test_uploads_are_bounded(client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forms, "EVAL_UPLOAD_MAX_BYTES", len(FILE) - 1)
    page = _upload(client, FILE)
    assert page.status_code == 400 and b"larger than" in page.content
    monkeypatch.setattr(forms, "EVAL_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(forms, "EVAL_UPLOAD_MAX_PROMPTS", 3)
    page = _upload(client, FILE)
    assert page.status_code == 400 and b"line 5: more than 3 prompts" in page.content


def test_the_tool_needs_a_console_sign_in() -> None:
    assert Client().get("/console/terms/evaluate")["Location"].startswith("/console/login")
