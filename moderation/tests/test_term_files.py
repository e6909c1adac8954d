"""The shipped term files in the database: seeding, `moderation_terms_sync`, console terms."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from moderation import facade
from moderation.models import PolicyRevision, Term
from moderation.policy.terms import load_terms
from moderation.services import term_create

pytestmark = pytest.mark.django_db


def _sync(*args: str) -> str:
    out = StringIO()
    call_command("moderation_terms_sync", *args, stdout=out)
    return out.getvalue()


def test_migrations_seed_every_language_with_its_rules() -> None:
    shipped = load_terms()
    assert Term.objects.count() >= len(shipped)
    langs = set(Term.objects.exclude(lang="").values_list("lang", flat=True))
    assert {"ja", "ko", "zh-Hans", "ar", "th", "tl"} <= langs
    assert Term.objects.get(rule_id="sexual.nude").lang == "en"
    # stems and particles work through the database engine, not only the file one
    assert facade.prompt_check(text="오바마를 체포하는 뉴스", teen=False).blocked
    assert facade.prompt_check(text="she was killing everyone at the concert", teen=False).blocked
    assert facade.prompt_check(text="裸足で歩く子供", teen=False).action == "allow"


def test_sync_restores_shipped_terms_and_keeps_console_edits(moderator) -> None:
    Term.objects.filter(rule_id="sexual.naked").delete()
    Term.objects.filter(rule_id="sexual.nude").update(action="review")
    mine = term_create(actor=moderator, text="glorbnak", category="hate")
    revision = PolicyRevision.objects.get(pk=1).token
    assert _sync().startswith("created 1, updated 0")
    assert Term.objects.filter(rule_id="sexual.naked", active=True).exists()
    assert Term.objects.get(rule_id="sexual.nude").action == "review"  # a moderator's edit
    assert PolicyRevision.objects.get(pk=1).token != revision  # engines rebuild
    assert _sync().startswith("created 0, updated 0")
    _sync("--update")
    assert Term.objects.get(rule_id="sexual.nude").action == "block"
    Term.objects.create(rule_id="sexual.retired-term", text="retiredword", category="sexual")
    assert "deactivated 1" in _sync("--prune")
    assert not Term.objects.get(rule_id="sexual.retired-term").active
    mine.refresh_from_db()
    assert mine.active and mine.text == "glorbnak"  # console terms are never touched


def test_sync_refuses_a_bad_file_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "en.tsv").write_text("sexual\tblock\tfreshword\n", encoding="utf-8")
    (tmp_path / "xx.tsv").write_text("sexual\tsometimes\toops\n", encoding="utf-8")
    before = Term.objects.count()
    with pytest.raises(CommandError, match=r"nothing loaded: xx\.tsv:1"):
        _sync("--path", str(tmp_path))
    assert Term.objects.count() == before
    with pytest.raises(CommandError, match="not a folder"):
        _sync("--path", str(tmp_path / "en.tsv"))


def test_console_terms_carry_a_language(moderator, login) -> None:
    client = login(moderator)
    created = client.post("/api/v1/moderation/terms",
                          {"text": "쿼즈", "category": "weapons", "action": "review",
                           "lang": "ko"}, format="json")
    assert created.status_code == 201, created.content
    assert created.data["lang"] == "ko"
    # the Korean particle rules apply to a moderator's term too
    assert facade.prompt_check(text="쿼즈를 들고", teen=False).action == "review"
    refused = client.post("/api/v1/moderation/terms",
                          {"text": "zorbo", "category": "weapons", "lang": "klingon"},
                          format="json")
    assert refused.status_code == 400
