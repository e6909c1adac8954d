"""Score a labelled prompt file against the live prompt policy.

    manage.py moderation_eval moderation/evaluation/prompts.tsv [--json] [--misses]

The file has a header row naming language, category, expected_action, text (and optionally
variant), tab- or comma-separated. Prints recall on harmful prompts and false blocks on benign
ones, overall and per language, category and variant.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moderation.evaluation.dataset import EvalFileError, read_eval_file
from moderation.evaluation.live import evaluate_prompts
from moderation.evaluation.scoring import Figures, Report, Scored


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _table(title: str, groups: dict[str, Figures]) -> list[str]:
    lines = [f"{title:<22} {'harmful':>7} {'caught':>6} {'recall':>7}   "
             f"{'benign':>6} {'blocked':>7} {'false-block':>11} {'reviewed':>8}"]
    for name, f in groups.items():
        lines.append(f"{name:<22} {f.harmful:>7} {f.caught:>6} {_percent(f.recall):>7}   "
                     f"{f.benign:>6} {f.false_blocks:>7} {_percent(f.false_block_rate):>11} "
                     f"{f.benign_reviewed:>8}")
    return lines


def _listed(label: str, results: tuple[Scored, ...]) -> list[str]:
    return [f"{label} line {r.prompt.line} [{r.prompt.language} {r.prompt.category} "
            f"{r.prompt.variant}] expected {r.prompt.expected}, got {r.action}"
            f"{' ' + ','.join(r.codes) if r.codes else ''}: {r.prompt.text}" for r in results]


def render_text(report: Report, *, source: str, misses: bool) -> str:
    o = report.overall
    lines = [
        f"{source}: {len(report.results)} prompts ({o.harmful} harmful, {o.benign} benign)",
        f"recall {_percent(o.recall)} ({o.caught}/{o.harmful} blocked or sent to review); "
        f"false blocks {_percent(o.false_block_rate)} ({o.false_blocks}/{o.benign}); "
        f"benign sent to review {_percent(o.benign_review_rate)} ({o.benign_reviewed}/{o.benign})",
        "", *_table("language", report.by_language),
        "", *_table("category", report.by_category),
        "", *_table("variant", report.by_variant),
    ]
    if misses:
        lines += ["", f"misses ({len(report.misses)}):", *_listed("MISS", report.misses),
                  "", f"false blocks ({len(report.false_blocks)}):",
                  *_listed("FALSE-BLOCK", report.false_blocks)]
    return "\n".join(lines)


class Command(BaseCommand):
    help = ("Score a labelled prompt file (language, category, expected_action, text) against "
            "the live prompt policy: recall on harmful prompts, false blocks on benign ones.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true",
                            help="Print one JSON object instead of tables.")
        parser.add_argument("--misses", action="store_true",
                            help="Also list every missed harmful prompt and false block.")
        parser.add_argument("--min-recall", type=float, metavar="RATE",
                            help="Exit with an error when overall recall is under RATE (0.95).")
        parser.add_argument("--max-false-blocks", type=float, metavar="RATE",
                            help="Exit with an error when benign false blocks exceed RATE.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            prompts = read_eval_file(path)
        except EvalFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        report = evaluate_prompts(prompts)
        if options["json"]:
            payload = {"file": str(path), **report.as_dict()}
            if not options["misses"]:
                payload.pop("misses")
                payload.pop("false_blocks")
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(report, source=str(path), misses=options["misses"]))
        _check_limits(report, options["min_recall"], options["max_false_blocks"])


def _check_limits(report: Report, min_recall: float | None,
                  max_false_blocks: float | None) -> None:
    """After the figures are printed: a gate for scripts (deploy checks after term edits)."""
    failures = []
    recall, false_blocks = report.overall.recall or 0.0, report.overall.false_block_rate or 0.0
    if min_recall is not None and recall < min_recall:
        failures.append(f"recall {recall:.1%} is under {min_recall:.1%}")
    if max_false_blocks is not None and false_blocks > max_false_blocks:
        failures.append(f"false blocks {false_blocks:.1%} are over {max_false_blocks:.1%}")
    if failures:
        raise CommandError("; ".join(failures))
