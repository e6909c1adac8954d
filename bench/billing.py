"""Billing bench: reserve+capture pairs per second on Postgres with concurrent workers, and
the overspends of the same run (must be 0), next to a naive unlocked read-modify-write.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/castline_bench .venv/bin/python bench/billing.py
"""

import os
import sys
import time
import uuid
from typing import Any

import bench_env  # beside this script (sys.path[0] is bench/ when it runs)

bench_env.django_env()
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
CREDITS = int(os.environ.get("BENCH_CREDITS", "2000"))  # paid credits each run spends down
MAX_SECONDS = float(os.environ.get("BENCH_MAX_SECONDS", "60"))  # per phase, whatever is left


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

    seconds = bench_env.run_together(WORKERS, work)
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

    seconds = bench_env.run_together(WORKERS, work)
    pairs = sum(spent)
    return {"pairs": pairs, "seconds": round(seconds, 3),
            "pairs_per_s": round(pairs / seconds, 1), "credits_available": CREDITS,
            "overspend": max(0, pairs - CREDITS)}


def main() -> dict[str, Any]:
    # Short GIL hand-offs: the thread holding the row lock shouldn't wait 5 ms to run again.
    sys.setswitchinterval(0.0005)
    from bench.bench_db import ensure_database  # bench_env put the repository on the path

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
    bench_env.print_report("billing", main)
