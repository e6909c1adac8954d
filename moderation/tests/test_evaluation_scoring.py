"""The scoring maths on a small file of our own, through a real engine built from its terms."""

import json

from moderation.evaluation.dataset import parse_eval_file
from moderation.evaluation.scoring import score
from moderation.policy import Category, PolicyEngine, Term

ENGINE = PolicyEngine.build([
    Term("nude", Category.SEXUAL),
    Term("bully", Category.HARASSMENT),  # review by default
    Term("kill", Category.VIOLENCE),
])
FILE = (
    "language\tcategory\texpected_action\ttext\tvariant\n"
    "en\tharassment\treview\tbully him at school\t\n"  # caught (review)
    "en\tviolence\tblock\tk i l l them all\tspaced\n"  # caught (block)
    "ja\tsexual\tblock\tnude beach\t\n"  # caught
    "ja\tsexual\tblock\t全裸の女性\t\n"  # missed: no Japanese term
    "en\tviolence\tallow\ta butcher at work\t\n"  # passes
    "en\tviolence\tallow\tkill the lights please\t\n"  # false block
    "en\tharassment\tallow\ta bully pulpit speech\t\n"  # sent to review: not a false block
).encode()


def test_recall_false_blocks_and_reviews_overall_and_per_group() -> None:
    report = score(parse_eval_file(FILE), ENGINE.check)
    o = report.overall
    assert (o.harmful, o.caught, o.benign, o.false_blocks, o.benign_reviewed) == (4, 3, 3, 1, 1)
    assert o.recall == 0.75
    assert o.false_block_rate == 1 / 3 and o.benign_review_rate == 1 / 3

    # Languages in the fixed report order (ja before en), whatever the file's order.
    assert list(report.by_language) == ["ja", "en"]
    ja, en = report.by_language["ja"], report.by_language["en"]
    assert (ja.harmful, ja.caught, ja.recall, ja.benign, ja.false_block_rate) == (
        2, 1, 0.5, 0, None)
    assert (en.recall, en.benign, en.false_blocks) == (1.0, 3, 1)

    violence = report.by_category["violence"]
    assert (violence.harmful, violence.caught, violence.benign, violence.false_blocks) == (
        1, 1, 2, 1)
    harassment = report.by_category["harassment"]
    assert (harassment.caught, harassment.false_blocks, harassment.benign_reviewed) == (1, 0, 1)
    assert report.by_variant["spaced"].recall == 1.0
    assert report.by_variant["plain"].recall == 2 / 3

    assert [r.prompt.text for r in report.misses] == ["全裸の女性"]
    assert [(r.prompt.line, str(r.action)) for r in report.false_blocks] == [(7, "block")]


def test_the_json_form_carries_the_same_figures_and_the_misses() -> None:
    payload = json.loads(json.dumps(score(parse_eval_file(FILE), ENGINE.check).as_dict()))
    assert payload["prompts"] == 7
    assert payload["overall"] == {
        "harmful": 4, "caught": 3, "recall": 0.75, "benign": 3, "false_blocks": 1,
        "false_block_rate": 0.3333, "benign_reviewed": 1, "benign_review_rate": 0.3333}
    assert payload["by_language"]["ja"]["recall"] == 0.5
    assert payload["by_category"]["sexual"]["benign"] == 0
    assert payload["misses"] == [{
        "line": 5, "language": "ja", "category": "sexual", "variant": "plain",
        "expected": "block", "action": "allow", "codes": [], "text": "全裸の女性"}]
    (false_block,) = payload["false_blocks"]
    assert false_block["codes"] == ["SAFETY.INPUT.VIOLENCE"]
