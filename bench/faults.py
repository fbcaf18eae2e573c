"""Faults during a registration burst on PostgreSQL: a worker killed, the database restarted.

    python bench/faults.py                      # both faults, 2,000 students each
    python bench/faults.py --faults kill_worker --students 500

Gunicorn (4 workers, 127.0.0.1) serves the burst from 64 clients. Mid-burst one worker gets
SIGKILL, or PostgreSQL is restarted (this machine's own cluster, once). A client whose
request got no HTTP answer, or a 503, sends it again after Retry-After (bounded attempts),
as a real client would. Afterwards:

- every answer was a success or the JSON error body; every 5xx a 503 UNAVAILABLE with
  Retry-After (never an HTML 500);
- every student ended with a definitive answer (201, or 409 EVENT_FULL/ALREADY_REGISTERED;
  ALREADY_REGISTERED only after an attempt whose answer was lost);
- confirmed == capacity, nobody active twice, ``check_integrity`` passes, and the maps equal
  the successful answers (plus those whose first answer was lost and whose retry said
  ALREADY_REGISTERED: their first attempt committed).

The bounded versions of these runs are tests in tests/reliability/.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

RETRIED = frozenset({0, 503})
FINAL_CODES = {"EVENT_FULL", "ALREADY_REGISTERED"}


def postgres_restart() -> float:
    """Restart this machine's local PostgreSQL cluster; returns how long it took."""
    version = sorted(os.listdir("/etc/postgresql"))[0]
    began = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return time.monotonic() - began


def worker_kill(server: harness.Gunicorn) -> int:
    """SIGKILL one gunicorn worker (the master starts a new one)."""
    victim = random.choice(server.worker_pids())
    os.kill(victim, signal.SIGKILL)
    return victim


def registration_jobs(event_id: str, tokens: dict[str, str], seed: int = 0) -> list[harness.Job]:
    students = sorted(tokens)
    random.Random(seed).shuffle(students)
    path = f"/api/v2/register/individual/{event_id}"
    return [harness.json_job(enr, path, {"enrollment_no": enr}, tokens[enr]) for enr in students]


def burst_with_fault(
    port: int,
    jobs: list[harness.Job],
    fault: Callable[[], object],
    *,
    at_fraction: float = 0.3,
    clients: int = 64,
    max_attempts: int = 15,
) -> tuple[list[harness.Outcome], float, dict]:
    """Run the burst; once ``at_fraction`` of it has finished, inject ``fault`` in its own thread."""
    trigger_at = max(1, int(len(jobs) * at_fraction))
    report: dict = {}
    fault_thread = threading.Thread(target=lambda: report.update(result=fault(), at=trigger_at), daemon=True)

    def on_progress(done: int) -> None:
        if done == trigger_at:
            fault_thread.start()

    outcomes, wall = harness.run_load(
        port,
        jobs,
        clients=clients,
        timeout=30,
        retry_statuses=RETRIED,
        max_attempts=max_attempts,
        retry_wait_cap=2.0,
        on_progress=on_progress,
    )
    fault_thread.join(timeout=120)
    report["fault_finished"] = not fault_thread.is_alive()
    return outcomes, wall, report


def verdict(event_id: str, capacity: int, outcomes: list[harness.Outcome]) -> dict:
    """The correctness of a burst that went through a fault (runs inside Django)."""
    from django.core.management import CommandError, call_command
    from django.db import connections
    from django.db.models import Count

    from events.models import Event
    from registrations.models import ACTIVE_STATUSES, Notification, Registration

    connections.close_all()  # after a database restart this process's own connection is dead too
    attempts = [attempt for outcome in outcomes for attempt in outcome.history]
    unclear_errors = [a for a in attempts if a[0] >= 400 and a[1] is None]
    bad_5xx = [a for a in attempts if a[0] >= 500 and not (a[0] == 503 and a[1] == "UNAVAILABLE" and a[2])]
    expected: dict[str, str] = {}
    unresolved, unexplained_already = [], []
    for outcome in outcomes:
        lost_before = any(status in RETRIED for status, _, _ in outcome.history[:-1])
        code = outcome.error_code()
        if outcome.status == 201:
            body = outcome.json()
            if body.get("status") == "confirmed":
                expected[outcome.key] = body["registration_id"]
        elif outcome.status == 409 and code == "ALREADY_REGISTERED":
            if lost_before:
                expected[outcome.key] = None  # the lost attempt committed; its id was never seen
            else:
                unexplained_already.append(outcome.key)
        elif not (outcome.status == 409 and code in FINAL_CODES):
            unresolved.append((outcome.key, outcome.status, code, outcome.error))
    event = Event.objects.get(pk=event_id)
    stored = dict(event.registrations)
    maps_match = set(stored) == set(expected) and all(
        registration_id is None or stored.get(enr) == registration_id for enr, registration_id in expected.items()
    )
    active_twice = (
        Registration.objects.filter(event_id=event_id, status__in=ACTIVE_STATUSES)
        .values("student_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    owed = Counter(
        Notification.objects.filter(
            kind=Notification.Kind.REGISTRATION_CONFIRMED, object_id__in=list(stored.values())
        ).values_list("object_id", flat=True)
    )
    try:
        call_command("check_integrity", event_ids=[event_id], stdout=open(os.devnull, "w"))  # noqa: SIM115
        integrity = True
    except CommandError:
        integrity = False
    checks = {
        "every error a JSON body with a code": not unclear_errors,
        "every 5xx a 503 UNAVAILABLE with Retry-After": not bad_5xx,
        "every student got a definitive answer": not unresolved,
        "ALREADY_REGISTERED only after a lost answer": not unexplained_already,
        "confirmed == capacity": len(stored) == capacity,
        "event.confirmed_count == confirmed rows": event.confirmed_count == len(stored),
        "nobody active twice": active_twice == 0,
        "maps == successful answers": maps_match,
        "check_integrity passes": integrity,
        "every confirmation owed exactly once in the outbox": all(owed[pk] == 1 for pk in stored.values()),
    }
    return {
        "attempts": len(attempts),
        "attempt_statuses": dict(sorted(Counter(a[0] for a in attempts).items())),
        "attempt_codes": dict(Counter(a[1] for a in attempts if a[1])),
        "final_statuses": dict(sorted(Counter(o.status for o in outcomes).items())),
        "lost_answers_then_already_registered": sum(1 for v in expected.values() if v is None),
        "unresolved": unresolved[:5],
        "checks": checks,
        "correct": all(checks.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", default="kill_worker,postgres_restart")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--at", type=float, default=0.3, help="fraction of the burst done when the fault strikes")
    args = parser.parse_args()

    url = harness.database_url("postgres")
    harness.database_reset("postgres", url)
    os.environ.update(harness.server_env(url))
    import django

    django.setup()
    from bench.data import open_event, students_with_tokens

    tokens = students_with_tokens(args.students)
    print(
        f"faults during a registration burst on PostgreSQL: {args.students} students, capacity {args.capacity}, "
        f"{args.clients} clients, gunicorn 4 workers, fault after {args.at:.0%} of the burst"
    )
    all_correct = True
    with harness.Gunicorn(url, workers=4) as server:
        for number, fault_name in enumerate(args.faults.split(",")):
            event_id = f"fault-{fault_name.replace('_', '-')}"
            open_event(event_id, args.capacity)
            fault = {"kill_worker": lambda: worker_kill(server), "postgres_restart": postgres_restart}[fault_name]
            jobs = registration_jobs(event_id, tokens, seed=number)
            outcomes, wall, report = burst_with_fault(
                server.port, jobs, fault, at_fraction=args.at, clients=args.clients
            )
            result = verdict(event_id, args.capacity, outcomes)
            all_correct &= result["correct"]
            summary = harness.latency_summary(outcomes, wall)
            print(f"\n== {fault_name} (fault result {report.get('result')!r}, at request {report.get('at')})")
            print(
                f"  {summary['requests']} students in {summary['wall_s']} s, {summary['throughput_rps']} req/s, "
                f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms (including retries)"
            )
            print(
                f"  attempts {result['attempts']}: statuses {result['attempt_statuses']} "
                f"codes {result['attempt_codes']}"
            )
            print(
                f"  final answers {result['final_statuses']}; answers lost then ALREADY_REGISTERED: "
                f"{result['lost_answers_then_already_registered']}"
            )
            for name, ok in result["checks"].items():
                print(f"  {'ok  ' if ok else 'FAIL'} {name}")
            if result["unresolved"]:
                print(f"  unresolved (first 5): {result['unresolved']}")
    print("\nall checks pass" if all_correct else "\nSOME CHECKS FAILED")
    return 0 if all_correct else 1


if __name__ == "__main__":
    sys.exit(main())
