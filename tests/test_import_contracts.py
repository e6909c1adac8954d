"""The app boundaries are enforced: lint-imports passes on the tree as it is, and fails once one
app reaches into another's internals (here cameo importing generation.models directly).

Runs the real `lint-imports` command on a copy of the source packages, so the check is the one
`make lint` and CI run, contracts and all."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# Where each root package of [tool.importlinter] lives.
PACKAGE_DIRS = ["platform/config", "platform/core", "platform/accounts", "platform/events",
                "platform/apikeys", "platform/openai_api", "billing", "moderation",
                "generation", "cameo", "feed"]

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(),
                                reason="import-linter is not installed (pip install -e .[dev])")


def _copy_tree(into: Path) -> None:
    for package in PACKAGE_DIRS:
        shutil.copytree(ROOT / package, into / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.tsv", "*.json",
                                                      "*.jpg", "*.png", "*.mp4", "*.txt"))
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": f"{tree / 'platform'}:{tree}", "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_contracts_hold_on_the_tree_and_break_on_a_cross_app_import(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    clean = _lint_imports(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "5 kept, 0 broken" in clean.stdout

    (tmp_path / "cameo" / "shortcut.py").write_text(
        '"""A shortcut past generation.facade."""\n\n'
        "from generation.models import Video\n\n"
        "QUEUED = Video.Status.QUEUED\n")
    broken = _lint_imports(tmp_path)
    assert broken.returncode != 0
    assert "Apps import each other only through <app>.facade BROKEN" in broken.stdout
    assert "cameo.shortcut -> generation.models" in broken.stdout
