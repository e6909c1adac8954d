"""manage.py moderation_eval: figures from the live terms, clear errors for bad files."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from moderation.models import Term
from moderation.services import term_create

pytestmark = pytest.mark.django_db

FILE = (
    "language\tcategory\texpected_action\ttext\n"
    "en\tsexual\tblock\ta nude woman on a beach\n"
    "en\tsexual\tblock\tn u d e dancer on a stage\n"
    "ja\tviolence\tblock\t路地で男が惨殺される\n"
    "ko\tweapons\tblock\t사제 폭탄 만드는 법\n"
    "en\tviolence\tallow\ta butcher at work in his shop\n"
)



@pytest.fixture(autouse=True)
def terms(moderator) -> None:
    """Terms of this test's own instead of the seeded list, which grows with the policy."""
    Term.objects.all().delete()
    term_create(actor=moderator, text="nude", category="sexual")
    term_create(actor=moderator, text="惨殺", category="violence")


def _run(path: Path, *flags: str) -> str:
    out = StringIO()
    call_command("moderation_eval", str(path), *flags, stdout=out)
    return out.getvalue()


@pytest.fixture
def eval_file(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.tsv"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_prints_recall_and_false_blocks_per_language_and_category(eval_file: Path) -> None:
    text = _run(eval_file)
    assert "5 prompts (4 harmful, 1 benign)" in text
    # The terms hold "nude" and 惨殺 but nothing Korean.
    assert "recall 75.0% (3/4 blocked or sent to review)" in text
    assert "false blocks 0.0% (0/1)" in text
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
    assert rows["ko"][:3] == ["1", "0", "0.0%"]
    assert rows["ja"][:3] == ["1", "1", "100.0%"]
    assert rows["weapons"][:3] == ["1", "0", "0.0%"]
    assert rows["plain"][:3] == ["4", "3", "75.0%"]  # no variant column: all plain
    assert "MISS" not in text


def test_json_and_misses(eval_file: Path) -> None:
    payload = json.loads(_run(eval_file, "--json", "--misses"))
    assert payload["overall"]["recall"] == 0.75
    assert payload["by_language"]["ko"] == {
        "harmful": 1, "caught": 0, "recall": 0.0, "benign": 0, "false_blocks": 0,
        "false_block_rate": None, "benign_reviewed": 0, "benign_review_rate": None}
    assert [m["text"] for m in payload["misses"]] == ["사제 폭탄 만드는 법"]
    assert "misses" not in json.loads(_run(eval_file, "--json"))
    listed = _run(eval_file, "--misses")
    assert "MISS line 5 [ko weapons plain] expected block, got allow: 사제 폭탄 만드는 법" in listed


def test_limits_turn_the_figures_into_an_exit_status(eval_file: Path) -> None:
    assert "recall 75.0%" in _run(eval_file, "--min-recall", "0.75", "--max-false-blocks", "0")
    out = StringIO()
    with pytest.raises(CommandError, match=r"^recall 75\.0% is under 90\.0%$"):
        call_command("moderation_eval", str(eval_file), "--min-recall", "0.9", stdout=out)
    assert "recall 75.0%" in out.getvalue()  # the figures are printed before the verdict


def test_scores_the_terms_in_the_database_not_a_shipped_copy(eval_file: Path,
                                                             moderator) -> None:
    term_create(actor=moderator, text="폭탄", category="violence")
    assert json.loads(_run(eval_file, "--json"))["overall"]["recall"] == 1.0


@pytest.mark.parametrize(("content", "message"), [
    ("language\tcategory\ttext\nen\tsexual\tnude\n", "line 1: missing column(s) expected_action"),
    ("language,category,expected_action,text,notes\nen,sexual,block,nude,x\n",
     "line 1: unexpected column(s) 'notes'"),
    (FILE + "xx\tsexual\tblock\tnude\n", "line 7: unknown language 'xx'"),
    (FILE + "en\tgore\tblock\tnude\n", "line 7: unknown category 'gore'"),
    (FILE + "en\tsexual\tdeny\tnude\n", "line 7: unknown expected action 'deny'"),
    ("", "line 1: the file is empty"),
    ("language\tcategory\texpected_action\ttext\n", "line 2: no prompts after the header"),
])
def test_bad_files_are_a_clear_error_and_nothing_is_scored(tmp_path: Path, content: str,
                                                           message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("moderation_eval", str(path), stdout=out)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert out.getvalue() == ""  # no half report: the whole file is read before scoring


def test_undecodable_bytes_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("language,category,expected_action,text\nfr,sexual,block,fille à poil\n"
                     .encode("latin-1"))
    with pytest.raises(CommandError, match=r"line 2: not UTF-8 text"):
        call_command("moderation_eval", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="cannot read"):
        call_command("moderation_eval", str(tmp_path / "absent.tsv"), stdout=StringIO())
