"""Registration burst: N students registering at once, against a one-row DRF insert, side by side.

    python bench/registration_burst.py                       # PostgreSQL and SQLite
    python bench/registration_burst.py --backends postgres --students 1000 --rounds 2

For each backend: a fresh database (PostgreSQL database ``bench``; SQLite under bench/out/),
students, logins and tokens created in bulk, then gunicorn with 4 workers on 127.0.0.1
and 64 concurrent clients from this process. Each round runs the baseline (``POST
/bench/baseline/<event>``, one row inserted through DRF, no auth) and the registration
(``POST /api/v2/register/individual/<event>`` with the student's token) with the same
requests and concurrency, alternating which goes first. Throughput is requests per second
of wall time; the ratio is registration / baseline of the medians over the rounds.

Correctness is checked on every registration round: confirmed == capacity, nobody active
twice, no 5xx and no dropped request, every error a JSON body with a known code, the
status endpoint's maps equal the successful answers, and every confirmed student's email
sent exactly once.

Emails (``--sender``): ``worker`` (the default, as docs/DEPLOY.md recommends) runs
``manage.py send_notifications`` beside gunicorn during the whole run, on the same cores, and
each round waits for the outbox to drain; ``request`` sends them from the gunicorn workers
after each commit. Either way every message is rendered and built (the locmem backend).
"""

import argparse
import json
import os
import random
import sys
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

EXPECTED_CONFLICTS = {"EVENT_FULL", "ALREADY_REGISTERED"}


def django_setup(url: str, sender: str) -> None:
    os.environ.update(harness.server_env(url, NOTIFICATIONS_SENDER=sender))
    import django

    django.setup()


def burst_jobs(path: str, students: list[str], duplicates: int, tokens: dict[str, str] | None, seed: int):
    keys = students + students[:duplicates]
    random.Random(seed).shuffle(keys)
    return [harness.json_job(enr, path, {"enrollment_no": enr}, tokens[enr] if tokens else None) for enr in keys]


def registration_check(event_id: str, outcomes: list[harness.Outcome], capacity: int, port: int, org_token: str):
    """Every correctness figure of one registration round."""
    from django.db.models import Count

    from events.models import Event
    from registrations.models import ACTIVE_STATUSES, Registration

    statuses = Counter(o.status for o in outcomes)
    codes: Counter = Counter()
    unclear = 0
    confirmed: dict[str, str] = {}
    accepted_per_student: Counter = Counter()
    for outcome in outcomes:
        body = outcome.json()
        if outcome.status == 201 and body:
            accepted_per_student[outcome.key] += 1
            if body.get("status") == "confirmed":
                confirmed[body["enrollment_no"]] = body["registration_id"]
        elif outcome.status >= 400:
            code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
            codes[code or "not JSON"] += 1
            if code is None:
                unclear += 1
    active_twice = (
        Registration.objects.filter(event_id=event_id, status__in=ACTIVE_STATUSES)
        .values("student_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    status, _, body = harness.request(
        "127.0.0.1", port, "GET", f"/api/v2/status/{event_id}", headers={"Authorization": f"Token {org_token}"}
    )
    api_maps = json.loads(body) if status == 200 else {}
    event = Event.objects.get(pk=event_id)
    confirmed_rows = Registration.objects.filter(event_id=event_id, status="confirmed").count()
    checks = {
        "confirmed_rows == capacity": confirmed_rows == capacity,
        "confirmed answers == capacity": len(confirmed) == capacity,
        "event.confirmed_count == capacity": event.confirmed_count == capacity,
        "nobody active twice": active_twice == 0,
        "nobody accepted twice": all(n == 1 for n in accepted_per_student.values()),
        "no 5xx": not any(s >= 500 for s in statuses),
        "no dropped request": statuses.get(0, 0) == 0,
        "every error JSON with a known code": unclear == 0 and set(codes) <= EXPECTED_CONFLICTS,
        "event.registrations == answers": dict(event.registrations) == confirmed,
        "status API maps == answers": api_maps.get("registrations") == confirmed and not api_maps.get("waitlist"),
    }
    return {
        "statuses": dict(sorted(statuses.items())),
        "error_codes": dict(codes),
        "checks": checks,
        "correct": all(checks.values()),
    }


def emails_delivered(event_id: str, confirmed: int, timeout: float = 120) -> dict:
    """Wait for the round's confirmations to leave the outbox; how many were sent, and the longest wait in it."""
    import time

    from registrations.models import Notification, Registration

    started = time.monotonic()
    registration_ids = list(
        Registration.objects.filter(event_id=event_id, status="confirmed").values_list("pk", flat=True)
    )
    owed = Notification.objects.filter(kind=Notification.Kind.REGISTRATION_CONFIRMED, object_id__in=registration_ids)
    while owed.filter(state=Notification.State.PENDING).exists() and time.monotonic() - started < timeout:
        time.sleep(0.1)
    rows = list(owed.values_list("object_id", "state", "created_at", "sent_at"))
    sent = [row for row in rows if row[1] == Notification.State.SENT]
    per_registration = Counter(row[0] for row in rows)
    return {
        "emails_sent": len(sent),
        "emails_owed": len(rows),
        "longest_wait_s": round(max(((s - c).total_seconds() for _, _, c, s in sent), default=0), 2),
        "every confirmation emailed once": len(sent) == len(rows) == confirmed
        and set(per_registration) == set(registration_ids)
        and all(n == 1 for n in per_registration.values()),
    }


def queries_per_request(event_id: str, student: str, token: str) -> dict:
    """Queries one registration and one baseline insert cost, counted through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    counts = {}
    for name, path, headers in [
        ("registration", f"/api/v2/register/individual/{event_id}", {"HTTP_AUTHORIZATION": f"Token {token}"}),
        ("baseline", f"/bench/baseline/{event_id}", {}),
    ]:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, {"enrollment_no": student}, content_type="application/json", **headers)
        counts[name] = {"status": response.status_code, "queries": len(queries)}
        counts[name + "_sql"] = [q["sql"][:160] for q in queries.captured_queries]
    return counts


def run_backend(backend: str, args) -> dict:
    url = harness.database_url(backend)
    harness.database_reset(backend, url)
    django_setup(url, args.sender)
    from bench.data import enrollment, open_event, organizer_with_token, students_with_tokens

    students = [enrollment(i) for i in range(args.students)]
    tokens = students_with_tokens(args.students + 1)
    organizer, org_token = organizer_with_token()
    warmup = students[: min(200, len(students))]
    open_event("burst-warmup", None, organizer)
    rounds = []
    sender = (
        harness.NotificationSender(url, niceness=args.sender_niceness) if args.sender == "worker" else nullcontext()
    )
    gunicorn = harness.Gunicorn(url, workers=args.workers, env={"NOTIFICATIONS_SENDER": args.sender})
    with sender, gunicorn as server:
        harness.run_load(server.port, burst_jobs("/bench/baseline/burst-warmup", warmup, 0, None, 0), clients=16)
        harness.run_load(
            server.port, burst_jobs("/api/v2/register/individual/burst-warmup", warmup, 0, tokens, 0), clients=16
        )
        for number in range(args.rounds):
            event_id = f"burst-{number}"
            open_event(event_id, args.capacity, organizer)
            figures = {}
            order = ["baseline", "registration"] if number % 2 == 0 else ["registration", "baseline"]
            for kind in order:
                if kind == "baseline":
                    jobs = burst_jobs(f"/bench/baseline/{event_id}", students, args.duplicates, None, number)
                else:
                    path = f"/api/v2/register/individual/{event_id}"
                    jobs = burst_jobs(path, students, args.duplicates, tokens, number)
                outcomes, wall = harness.run_load(server.port, jobs, clients=args.clients)
                figures[kind] = harness.latency_summary(outcomes, wall)
                if kind == "baseline":
                    figures[kind]["5xx"] = sum(1 for o in outcomes if o.status >= 500 or o.status == 0)
                else:
                    figures[kind].update(registration_check(event_id, outcomes, args.capacity, server.port, org_token))
                    emails = emails_delivered(event_id, args.capacity)
                    figures[kind]["emails"] = emails
                    figures[kind]["checks"]["every confirmation emailed once"] = emails.pop(
                        "every confirmation emailed once"
                    )
                    figures[kind]["correct"] = all(figures[kind]["checks"].values())
            rounds.append(figures)
    open_event("burst-profile", None, organizer)
    extra = enrollment(args.students)
    queries = queries_per_request("burst-profile", extra, tokens[extra])
    reg_rps = harness.median([r["registration"]["throughput_rps"] for r in rounds])
    base_rps = harness.median([r["baseline"]["throughput_rps"] for r in rounds])
    return {
        "backend": backend,
        "rounds": rounds,
        "registration_rps_median": reg_rps,
        "baseline_rps_median": base_rps,
        "ratio": round(reg_rps / base_rps, 3) if base_rps else None,
        "correct": all(r["registration"]["correct"] for r in rounds),
        "queries": queries,
    }


def print_report(results: list[dict], args) -> None:
    print(
        f"registration burst: {args.students} students (+{args.duplicates} repeated requests), "
        f"capacity {args.capacity}, {args.clients} clients, gunicorn {args.workers} workers, {args.rounds} rounds, "
        f"emails sent by the {args.sender}"
    )
    for result in results:
        print(f"\n== {result['backend']}")
        for number, figures in enumerate(result["rounds"]):
            for kind in ("baseline", "registration"):
                f = figures[kind]
                print(
                    f"  round {number} {kind:<12} {f['throughput_rps']:>7.1f} req/s  p50 {f['p50_ms']:>6.1f} ms  "
                    f"p95 {f['p95_ms']:>6.1f} ms  p99 {f['p99_ms']:>6.1f} ms  ({f['requests']} in {f['wall_s']} s)"
                )
            reg = figures["registration"]
            print(f"    statuses {reg['statuses']} codes {reg['error_codes']}")
            emails = reg["emails"]
            print(
                f"    emails sent {emails['emails_sent']} of {emails['emails_owed']} owed; "
                f"the longest any waited in the outbox: {emails['longest_wait_s']} s"
            )
            failed = [name for name, ok in reg["checks"].items() if not ok]
            print("    correctness: " + ("all checks pass" if not failed else "FAILED " + ", ".join(failed)))
        print(
            f"  median registration {result['registration_rps_median']:.1f} req/s, baseline "
            f"{result['baseline_rps_median']:.1f} req/s, ratio {result['ratio']} (target >= 0.6 on PostgreSQL)"
        )
        q = result["queries"]
        print(
            f"  queries per request: registration {q['registration']['queries']} (HTTP {q['registration']['status']}), "
            f"baseline {q['baseline']['queries']}"
        )
        if args.verbose:
            for sql in q["registration_sql"]:
                print("    " + sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--capacity", type=int, help="seats (default: three quarters of the students, 1,500)")
    parser.add_argument(
        "--duplicates", type=int, help="students who send their request twice (default: a tenth of them, 200)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sender", choices=["worker", "request"], default="worker", help="who sends the emails")
    parser.add_argument(
        "--sender-niceness",
        type=int,
        default=None,
        help="the email sender's --niceness (default: the command's own, 10; 0: the web workers' priority)",
    )
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The burst's proportions whatever its size, so a smaller run (--students 400) still fills the event.
    if args.capacity is None:
        args.capacity = args.students * 3 // 4
    if args.duplicates is None:
        args.duplicates = args.students // 10
    if args.backend:
        print(json.dumps(run_backend(args.backend, args)))
        return 0
    results = harness.results_per_backend(__file__, args.backends)
    print_report(results, args)
    return 0 if all(r["correct"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
