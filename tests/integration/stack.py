"""Starting real processes for the integration tier: the ASGI server and a Celery worker."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    base_url: str
    env: dict[str, str]
    log_dir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-4000:]}"
                         for log in sorted(self.log_dir.glob("*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # the whole group: make, worker, server
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def spawn(stack: Stack, name: str, args: list[str], env: dict[str, str] | None = None
          ) -> subprocess.Popen[bytes]:
    log = open(stack.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(args, cwd=ROOT, env=env or stack.env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    stack.processes.append(process)
    return process


def worker_args(concurrency: int = 2) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,generation",
            "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-mingle",
            "--without-gossip"]


def maintenance_args() -> list[str]:
    """The reaper and outbox relay's own worker, as scripts/run.sh starts it (run it with
    GENERATION_WARM_ON_START=0: it never generates)."""
    return [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "maintenance",
            "-P", "solo", "--loglevel", "INFO", "--without-mingle", "--without-gossip",
            "-n", f"maintenance-{free_port()}@%h"]


def beat_args(state_dir: Path) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
            "--schedule", str(state_dir / "beat-schedule"),
            "--pidfile", str(state_dir / "beat.pid")]


def server_args(port: int, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "config.asgi:application", "--app-dir", "platform",
            "--host", "127.0.0.1", "--port", str(port),
            "--ws", "config.ws_protocol:PrebuiltFrameProtocol",
            "--lifespan", "off", "--no-access-log", "--workers", str(workers)]


def wait_healthy(stack: Stack, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in stack.processes):
            raise RuntimeError(f"a process exited early\n{stack.logs()}")
        try:
            if httpx.get(f"{stack.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"stack not healthy after {timeout}s\n{stack.logs()}")


def base_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATA_DIR"}}
    env.update({"PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", "PYTHONUNBUFFERED": "1",
                "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"})
    env.update(overrides)
    return env
