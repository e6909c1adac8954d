"""Reading labelled prompt files: every bad line named, nothing returned from a bad file."""

import pytest

from moderation.evaluation.dataset import (
    CATEGORIES,
    KNOWN_LANGUAGES,
    EvalFileError,
    parse_eval_file,
)
from moderation.policy import Action

HEADER = "language\tcategory\texpected_action\ttext\n"


def _problems(data: bytes) -> list[str]:
    with pytest.raises(EvalFileError) as caught:
        parse_eval_file(data)
    return caught.value.problems


def test_tsv_and_csv_read_the_same_prompts() -> None:
    tsv = (HEADER + "ja\tsexual\tblock\t全裸の女性\n"
           "EN\tviolence\tAllow\ta butcher, at work\n").encode()
    csv_ = ('Language,Category,Expected action,Text\n'
            'ja,sexual,block,全裸の女性\n'
            'en,violence,allow,"a butcher, at work"\n').encode()
    for data in (tsv, csv_):
        first, second = parse_eval_file(data)
        assert (first.line, first.language, first.category, first.expected, first.text) == (
            2, "ja", "sexual", Action.BLOCK, "全裸の女性")
        assert (second.language, second.expected, second.text) == (
            "en", Action.ALLOW, "a butcher, at work")
        assert first.harmful and not second.harmful
        assert first.variant == "plain"


def test_a_trailing_optional_column_may_be_left_off_and_blank_lines_are_skipped() -> None:
    data = (b"\n\nlanguage\tcategory\texpected_action\ttext\tvariant\n"
            b"en\tsexual\tblock\tn00d\tleet\n\n"
            b"en\tsexual\tblock\tnude\n")
    first, second = parse_eval_file(data)
    assert (first.line, first.variant, second.line, second.variant) == (4, "leet", 6, "plain")
    (problem,) = _problems(b"\n" + data.replace(b"\tvariant", b"\tvariant\tvariant"))
    assert problem.startswith("line 4: ") and "a column appears twice" in problem


def test_columns_in_any_order_with_an_optional_variant_and_a_bom() -> None:
    data = ("\ufefftext\tvariant\texpected_action\tcategory\tlanguage\n"
            "z h a n s h o u\tspaced\treview\tself_harm\tzh-hans\n").encode()
    (prompt,) = parse_eval_file(data)
    assert (prompt.language, prompt.category, prompt.expected, prompt.variant) == (
        "zh-Hans", "self_harm", Action.REVIEW, "spaced")


@pytest.mark.parametrize(("header", "expected"), [
    ("language\tcategory\ttext\n", "missing column(s) expected_action"),
    ("lang\tcat\texpected\ttext\n", "missing column(s) category"),
    ("language\tcategory\texpected_action\ttext\tscore\n", "unexpected column(s) 'score'"),
    ("language\tcategory\texpected_action\ttext\ttext\n", "a column appears twice"),
])
def test_wrong_or_missing_columns_name_line_1(header: str, expected: str) -> None:
    (problem,) = _problems((header + "en\tsexual\tblock\tnude\n").encode())
    assert problem.startswith("line 1: ") and expected in problem


def test_every_bad_line_is_reported_and_nothing_is_returned() -> None:
    data = (HEADER
            + "en\tsexual\tblock\tfine prompt\n"
            + "xx\tsexual\tblock\tunknown language\n"
            + "en\tgambling\tblock\tunknown category\n"
            + "en\tsexual\tdelete\tunknown action\n"
            + "en\tsexual\tblock\t   \n"
            + "en\tsexual\tblock\n"
            + "zh\tsexual\tblock\tbare zh is ambiguous\n").encode()
    problems = _problems(data)
    assert problems == [
        f"line 3: unknown language 'xx' (known: {', '.join(KNOWN_LANGUAGES)})",
        f"line 4: unknown category 'gambling' (known: {', '.join(CATEGORIES)})",
        "line 5: unknown expected action 'delete' (one of allow, review, block)",
        "line 6: empty text",
        "line 7: 3 field(s), the header has 4",
        f"line 8: unknown language 'zh' (known: {', '.join(KNOWN_LANGUAGES)})",
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf\n", b"\t\t\n"])
def test_an_empty_file_is_an_error(data: bytes) -> None:
    (problem,) = _problems(data)
    assert "empty" in problem


def test_a_header_without_prompts_is_an_error() -> None:
    assert _problems(HEADER.encode()) == ["line 2: no prompts after the header"]


def test_undecodable_bytes_name_their_line() -> None:
    data = (HEADER + "en\tsexual\tblock\tnude\n").encode() + b"ja\tsexual\tblock\t\x82\xa0\n"
    (problem,) = _problems(data)
    assert problem.startswith("line 3: not UTF-8 text")


def test_a_bound_on_prompts_stops_reading() -> None:
    data = (HEADER + "en\tsexual\tblock\tnude\n" * 5).encode()
    assert len(parse_eval_file(data, max_prompts=5)) == 5
    with pytest.raises(EvalFileError) as caught:
        parse_eval_file(data, max_prompts=4)
    assert caught.value.problems == ["line 6: more than 4 prompts"]


def test_categories_are_the_policy_ones_less_its_signals() -> None:
    assert "weapons" in CATEGORIES and "drugs" in CATEGORIES
    assert {"minor_context", "suggestive", "target", "how_to", "news", "exception",
            "owner_rule"}.isdisjoint(CATEGORIES)
    assert {"sexual", "hate", "impersonation", "artist_style"} <= set(CATEGORIES)
