"""Billing bench: reserve+capture pairs per second on Postgres with concurrent workers, and
the overspends of the same run (must be 0), next to a naive unlocked read-modify-write.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/castline_bench .venv/bin/python bench/billing.py

Prints one JSON object; never exits non-zero (errors are reported in the JSON).
"""

import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/castline_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
CREDITS = int(os.environ.get("BENCH_CREDITS", "2000"))  # paid credits each run spends down
MAX_SECONDS = float(os.environ.get("BENCH_MAX_SECONDS", "60"))  # per phase, whatever is left


def run_workers(work: Any) -> float:
    """Start WORKERS threads together (each with its own connection); wall seconds taken."""
    from django.db import connections

    barrier = threading.Barrier(WORKERS + 1)

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def bench_locked(user_id: int) -> dict[str, Any]:
    """Our path: credits_reserve + credits_capture until the balance is spent."""
    from django.db.models import Sum

    from billing import facade
    from billing.models import Account, LedgerEntry
    from core.errors import DomainError

    available = facade.credits_balance(user_id=user_id).total
    captured = [0] * WORKERS
    refused = [0] * WORKERS

    deadline = time.monotonic() + MAX_SECONDS

    def work(i: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            reference = f"bench:{user_id}:{i}:{n}"
            try:
                facade.credits_reserve(user_id=user_id, amount=1, reference=reference,
                                       reason="bench")
            except DomainError:
                refused[i] += 1
                return
            facade.credits_capture(reference=reference)
            captured[i] += 1

    seconds = run_workers(work)
    pairs = sum(captured)
    account = Account.objects.get(user_id=user_id)
    sums = LedgerEntry.objects.filter(account=account).aggregate(
        free=Sum("free_delta"), paid=Sum("paid_delta"), held=Sum("held_delta"))
    return {"pairs": pairs, "seconds": round(seconds, 3),
            "pairs_per_s": round(pairs / seconds, 1), "credits_available": available,
            "overspend": max(0, pairs - available), "left_unspent": account.total,
            "ledger_matches_balance": sums == {"free": account.free, "paid": account.paid,
                                               "held": account.held}}


def bench_naive(user_id: int) -> dict[str, Any]:
    """Baseline: read the balance, check, write balance - 1, with no lock (lost updates)."""
    from billing.models import Account

    Account.objects.filter(user_id=user_id).update(free=0, paid=CREDITS)
    spent = [0] * WORKERS

    deadline = time.monotonic() + MAX_SECONDS

    def work(i: int) -> None:
        while time.monotonic() < deadline:
            paid = Account.objects.values_list("paid", flat=True).get(user_id=user_id)
            if paid < 1:
                return
            Account.objects.filter(user_id=user_id).update(paid=paid - 1)
            spent[i] += 1

    seconds = run_workers(work)
    pairs = sum(spent)
    return {"pairs": pairs, "seconds": round(seconds, 3),
            "pairs_per_s": round(pairs / seconds, 1), "credits_available": CREDITS,
            "overspend": max(0, pairs - CREDITS)}


def main() -> dict[str, Any]:
    # Short GIL hand-offs: the thread holding the row lock shouldn't wait 5 ms to run again.
    sys.setswitchinterval(0.0005)
    from bench.bench_db import ensure_database  # beside this script (ROOT is on the path)

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from billing import services

    tag = uuid.uuid4().hex[:10]
    admin = User.objects.create_user(email=f"a{tag}@bench.local", handle=f"a{tag}",
                                     password=None, is_staff=True)
    spender = User.objects.create_user(email=f"s{tag}@bench.local", handle=f"s{tag}",
                                       password=None)
    naive = User.objects.create_user(email=f"n{tag}@bench.local", handle=f"n{tag}",
                                     password=None)
    services.credits_adjust(user_id=spender.pk, amount=CREDITS, reason="bench",
                            actor_id=admin.pk)
    services.account_touch(user_id=naive.pk)
    result = {"bench": "billing", "db": connection.vendor, "workers": WORKERS,
              "locked": bench_locked(spender.pk), "naive_unlocked": bench_naive(naive.pk)}
    result["locked_vs_naive_throughput"] = round(
        result["locked"]["pairs_per_s"] / max(result["naive_unlocked"]["pairs_per_s"], 1e-9), 3)
    return result


if __name__ == "__main__":
    try:
        output = main()
    except Exception as exc:  # a bench reports, it never fails the caller
        output = {"bench": "billing", "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(output, indent=2))
