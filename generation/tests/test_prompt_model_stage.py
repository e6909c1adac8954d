"""The safety model as a job's first stage: eager worker, tiny guard models of the real classes
loaded from a directory, real transitions, credits and review cases."""

from datetime import date

import pytest

from billing.models import LedgerEntry
from generation.models import Video
from moderation.models import Case
from moderation.tests import tiny_safety_models as tiny

pytestmark = pytest.mark.django_db

VIDEOS = "/api/v1/videos"
# Nothing in the lexicon: only the model stage can stop it.
PROMPT = "the scene from last night at the old market square, told again"


@pytest.fixture(scope="module")
def guards(tmp_path_factory):
    root = tmp_path_factory.mktemp("guards")
    return {
        "violent": tiny.llama_guard(root / "violent", "unsafe\nS1,S9"),
        "safe": tiny.llama_guard(root / "safe", "safe", parts=False),
        "controversial": tiny.qwen3guard(root / "controversial",
                                         ["Safety: Controversial", "Categories: Violent"]),
    }


def create(client, capture, prompt=PROMPT):
    with capture(execute=True):
        response = client.post(VIDEOS, {"prompt": prompt, "seconds": 4}, format="json")
    assert response.status_code == 202, response.content  # the lexicon let it through
    return client.get(f"{VIDEOS}/{response.json()['id']}").json()


def balance(client) -> int:
    return client.get("/api/v1/credits").json()["total"]


def ledger(user) -> list[str]:
    return list(LedgerEntry.objects.filter(account__user=user).order_by("id")
                .values_list("kind", flat=True))


def test_flagged_prompt_ends_blocked_with_its_code_before_any_generation(
        ana, settings, guards, django_capture_on_commit_callbacks):
    user, client = ana
    settings.MODERATION_SAFETY_MODEL_PATH = str(guards["violent"])
    before = balance(client)
    done = create(client, django_capture_on_commit_callbacks)
    assert done["status"] == "blocked", done
    assert done["error"]["code"] == "SAFETY.INPUT.VIOLENCE"
    assert done["error"]["message"] == "Graphic violence is not allowed."
    assert balance(client) == before
    assert ledger(user)[-2:] == ["reserve", "release"] and "capture" not in ledger(user)
    video = Video.objects.get(pk=done["id"])
    # The backend never ran: no progress, no heartbeat after the start, no file.
    assert video.progress == 0 and video.heartbeat_at == video.started_at
    assert not video.video_file
    assert list(video.transitions.values_list("to_status", flat=True)) == [
        "in_progress", "blocked"]
    assert video.transitions.last().reason == "SAFETY.INPUT.VIOLENCE"
    case = Case.objects.get(target_type="video", target_id=done["id"])
    assert case.status == "open" and case.codes == ["SAFETY.INPUT.VIOLENCE"]


def test_case_on_block_can_be_turned_off(ana, settings, guards,
                                         django_capture_on_commit_callbacks):
    _, client = ana
    settings.MODERATION_SAFETY_MODEL_PATH = str(guards["violent"])
    settings.MODERATION_SAFETY_MODEL_CASE_ON_BLOCK = False
    done = create(client, django_capture_on_commit_callbacks)
    assert done["status"] == "blocked"
    assert not Case.objects.filter(target_type="video", target_id=done["id"]).exists()


def test_safe_answer_lets_the_job_complete(ana, settings, guards,
                                           django_capture_on_commit_callbacks):
    user, client = ana
    settings.MODERATION_SAFETY_MODEL_PATH = str(guards["safe"])
    before = balance(client)
    done = create(client, django_capture_on_commit_callbacks)
    assert done["status"] == "completed", done
    assert done["held_for_review"] is False
    assert balance(client) == before - done["cost"] and ledger(user)[-1] == "capture"
    assert not Case.objects.exists()


def test_review_answer_holds_the_video_and_teens_are_blocked(
        ana, user_factory, login, settings, guards, django_capture_on_commit_callbacks):
    _, client = ana
    settings.MODERATION_SAFETY_MODEL_PATH = str(guards["controversial"])
    done = create(client, django_capture_on_commit_callbacks)
    assert done["status"] == "completed" and done["held_for_review"] is True
    case = Case.objects.get(target_type="video", target_id=done["id"])
    assert case.codes == ["SAFETY.INPUT.VIOLENCE"]
    teen = login(user_factory(handle="tia", birthdate=date(date.today().year - 15, 1, 1)))
    teen_done = create(teen, django_capture_on_commit_callbacks)
    assert teen_done["status"] == "blocked"
    assert teen_done["error"]["code"] == "SAFETY.INPUT.VIOLENCE"


def test_broken_model_fails_closed_and_returns_credits(ana, settings, tmp_path,
                                                       django_capture_on_commit_callbacks):
    _, client = ana
    (tmp_path / "config.json").write_text('{"model_type": "llama"}')  # no weights, no tokenizer
    settings.MODERATION_SAFETY_MODEL_PATH = str(tmp_path)
    before = balance(client)
    done = create(client, django_capture_on_commit_callbacks)
    assert done["status"] == "failed"
    assert done["error"]["code"] == "moderation.safety_model_unavailable"
    assert balance(client) == before


def test_broken_model_is_skipped_when_not_required(ana, settings, tmp_path,
                                                   django_capture_on_commit_callbacks):
    _, client = ana
    settings.MODERATION_SAFETY_MODEL_PATH = str(tmp_path / "missing")
    settings.MODERATION_SAFETY_MODEL_REQUIRED = False
    assert create(client, django_capture_on_commit_callbacks)["status"] == "completed"
