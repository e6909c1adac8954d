"""Production mode refuses unsafe settings and passes Django's deployment checks."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD = {
    "CASTLINE_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "DATABASE_URL": "postgres://castline:pw@db.internal:5432/castline",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "api.castline.example",
    "PATH": "/usr/bin:/bin",
}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_production_passes_check_deploy(tmp_path):
    result = manage({**GOOD, "DATA_DIR": str(tmp_path)}, "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "security." not in output, output
    # The OpenAPI schema builds without unresolved views (enum naming notes aside).
    assert "could not resolve" not in output and "unable to guess" not in output, output


@pytest.mark.parametrize(("override", "message"), [
    ({"DEBUG": "1"}, "DEBUG"),
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"REDIS_URL": ""}, "REDIS_URL"),
    ({"DATABASE_URL": ""}, "DATABASE_URL"),
])
def test_production_refuses_unsafe_settings(tmp_path, override, message):
    env = {**GOOD, **override, "DATA_DIR": str(tmp_path)}
    env = {key: value for key, value in env.items() if value != ""}
    result = manage(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
