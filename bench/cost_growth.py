"""Cost growth: registration, lookup and status latency with 0, 10,000 and 100,000 registrations in one event.

    python bench/cost_growth.py                           # PostgreSQL and SQLite
    python bench/cost_growth.py --backends postgres --reps 300

Three events side by side, with 0, 10,000 and 100,000 confirmed registrations (bulk-written,
then ANALYZE). Through Django's test client with the API's token auth, round-robin over the
three so the machine's load falls on all alike: a new student registering themselves and a
lookup of a registered student (as organizer), ``--reps`` times per event; then the status
endpoint (the six whole maps) ``--status-reps`` times per event. Figures are medians; the
ratio is the median at the size over the median at 0. Queries per request are counted at
each size too (they should not grow).
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402


def existing_registrations(event, start: int, count: int) -> None:
    """``count`` more confirmed registrations in ``event``, students without logins, in bulk."""
    from django.db import connection
    from django.utils import timezone

    from eventsite import ids
    from registrations.models import Registration, Student

    now = timezone.now()
    batch = 5000
    for offset in range(start, start + count, batch):
        enrollments = [f"23EXI{i:06d}" for i in range(offset, min(offset + batch, start + count))]
        Student.objects.bulk_create(
            [Student(enrollment_no=enr, full_name=f"Existing {enr}", department="EXI", year=2) for enr in enrollments]
        )
        Registration.objects.bulk_create(
            [
                Registration(
                    registration_id=ids.new_registration_id(),
                    event=event,
                    student_id=enr,
                    status="confirmed",
                    checkin_code=ids.new_checkin_code(),
                    registered_at=now,
                )
                for enr in enrollments
            ]
        )
    event.confirmed_count += count
    event.save(update_fields=["confirmed_count"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client, method: str, path: str, token: str, body: dict | None = None, expect: int = 200):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        if method == "POST":
            response = client.post(path, body or {}, content_type="application/json", **headers)
        else:
            response = client.get(path, **headers)
        elapsed = time.perf_counter() - began
    assert response.status_code == expect, (path, response.status_code, response.content[:300])
    return elapsed * 1000, len(queries), response


def measure(client, events: dict, tokens: dict, newcomers: list[str], org_token: str, args) -> dict:
    """Round-robin over the sizes, so that the machine's load drifts over all of them alike."""
    figures = {size: {"registration": [], "lookup": [], "status": []} for size in events}
    queries = {size: {} for size in events}
    status_sizes = {}
    rng = random.Random(7)
    for _ in range(args.reps):
        for size, (event_id, registered) in events.items():
            enr = newcomers.pop()
            path = f"/api/v2/register/individual/{event_id}"
            ms, queries[size]["registration"], _ = timed(client, "POST", path, tokens[enr], {}, 201)
            figures[size]["registration"].append(ms)
            registered.append(enr)
            who = rng.choice(registered)
            path = f"/api/v2/lookup/enrollment/{who}/event/{event_id}"
            ms, queries[size]["lookup"], _ = timed(client, "GET", path, org_token)
            figures[size]["lookup"].append(ms)
    for _ in range(args.status_reps):
        for size, (event_id, _registered) in events.items():
            ms, queries[size]["status"], response = timed(client, "GET", f"/api/v2/status/{event_id}", org_token)
            figures[size]["status"].append(ms)
            status_sizes[size] = len(response.json()["registrations"])
    levels = {}
    for size in events:
        levels[size] = {f"{kind}_ms": round(harness.median(values), 2) for kind, values in figures[size].items()}
        levels[size]["status_map_size"] = status_sizes[size]
        levels[size]["queries"] = queries[size]
    return levels


def run_backend(backend: str, args) -> dict:
    url = harness.database_url(backend, name="growth")
    harness.database_reset(backend, url)
    os.environ.update(harness.server_env(url))
    import django

    django.setup()
    from django.test import Client

    from bench.data import open_event, organizer_with_token, students_with_tokens

    tokens = students_with_tokens(args.reps * len(args.sizes), prefix="24NEW")
    newcomers = sorted(tokens, reverse=True)
    organizer, org_token = organizer_with_token()
    events = {}
    loaded = 0
    for size in args.sizes:
        event = open_event(f"growth-{size}", None, organizer)
        existing_registrations(event, loaded, size)
        events[size] = (event.pk, [f"23EXI{i:06d}" for i in rng_sample(loaded, size, 2000)])
        loaded += size
    levels = measure(Client(SERVER_NAME="127.0.0.1"), events, tokens, newcomers, org_token, args)
    base = levels[0]
    for figures in levels.values():
        figures["ratios"] = {
            kind: round(figures[f"{kind}_ms"] / base[f"{kind}_ms"], 2) for kind in ("registration", "lookup", "status")
        }
    return {"backend": backend, "levels": levels}


def rng_sample(start: int, size: int, count: int) -> list[int]:
    return random.Random(size).sample(range(start, start + size), min(size, count)) if size else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--status-reps", type=int, default=5)
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")], default=[0, 10_000, 100_000])
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backend:
        print(json.dumps(run_backend(args.backend, args)))
        return 0
    print(
        f"cost growth: medians of {args.reps} registrations and lookups, {args.status_reps} status calls, "
        "through the test client; target: registration and lookup within 1.2x of the empty event"
    )
    worst = 0.0
    for result in harness.results_per_backend(__file__, args.backends, timeout=3600):
        print(f"\n== {result['backend']}")
        print(f"  {'existing':>9} {'registration':>20} {'lookup':>20} {'status':>24}  queries reg/lookup/status")
        for size, f in result["levels"].items():
            r = f["ratios"]
            q = f["queries"]
            print(
                f"  {int(size):>9,} {f['registration_ms']:>9.2f} ms ({r['registration']:>4.2f}x) "
                f"{f['lookup_ms']:>9.2f} ms ({r['lookup']:>4.2f}x) {f['status_ms']:>11.2f} ms ({r['status']:>6.2f}x)"
                f"  {q['registration']}/{q['lookup']}/{q['status']}"
            )
            worst = max(worst, r["registration"], r["lookup"])
    print(f"\nworst registration/lookup ratio: {worst:.2f}x (target <= 1.2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
