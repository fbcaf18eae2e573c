"""Cost growth: registration, lookup and status latency with 0, 10,000 and 100,000 registrations in one event.

    python bench/cost_growth.py                           # PostgreSQL and SQLite
    python bench/cost_growth.py --backends postgres --reps 300

One event grows from 0 to 10,000 to 100,000 confirmed registrations (bulk-written, then
ANALYZE). At each size, through Django's test client with the API's token auth:
registration of a new student and lookup of a registered one, interleaved, ``--reps``
times each; the status endpoint (the six whole maps) ``--status-reps`` times. Figures are
medians; the ratio is the median at the size over the median at 0. Queries per request
are counted at each size too (they should not grow).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

SIZES = (0, 10_000, 100_000)


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


def measure(client, event_id: str, tokens: dict, newcomers: list[str], registered: list[str], org_token: str, args):
    reg_ms, lookup_ms, status_ms = [], [], []
    reg_q = lookup_q = status_q = 0
    rng = random.Random(len(registered))
    for _ in range(args.reps):
        enr = newcomers.pop()
        ms, reg_q, _ = timed(
            client, "POST", f"/api/v2/register/individual/{event_id}", tokens[enr], {"enrollment_no": enr}, 201
        )
        reg_ms.append(ms)
        registered.append(enr)
        who = rng.choice(registered)
        ms, lookup_q, _ = timed(client, "GET", f"/api/v2/lookup/enrollment/{who}/event/{event_id}", org_token)
        lookup_ms.append(ms)
    for _ in range(args.status_reps):
        ms, status_q, response = timed(client, "GET", f"/api/v2/status/{event_id}", org_token)
        status_ms.append(ms)
    size = len(response.json()["registrations"])
    return {
        "registration_ms": round(harness.median(reg_ms), 2),
        "lookup_ms": round(harness.median(lookup_ms), 2),
        "status_ms": round(harness.median(status_ms), 2),
        "status_map_size": size,
        "queries": {"registration": reg_q, "lookup": lookup_q, "status": status_q},
    }


def run_backend(backend: str, args) -> dict:
    url = harness.database_url(backend, name="growth")
    harness.database_reset(backend, url)
    os.environ.update(harness.server_env(url))
    import django

    django.setup()
    from django.test import Client

    from bench.data import open_event, organizer_with_token, students_with_tokens

    newcomer_count = args.reps * len(SIZES)
    tokens = students_with_tokens(newcomer_count, prefix="24NEW")
    newcomers = sorted(tokens, reverse=True)
    organizer, org_token = organizer_with_token()
    event = open_event("growth", None, organizer)
    client = Client(SERVER_NAME="127.0.0.1")
    registered: list[str] = []
    levels = {}
    loaded = 0
    for size in SIZES:
        existing_registrations(event, loaded, size - loaded)
        loaded = size
        registered.extend(f"23EXI{i:06d}" for i in rng_sample(size, 2000))
        levels[size] = measure(client, event.pk, tokens, newcomers, registered, org_token, args)
    base = levels[0]
    for figures in levels.values():
        figures["ratios"] = {
            kind: round(figures[f"{kind}_ms"] / base[f"{kind}_ms"], 2) for kind in ("registration", "lookup", "status")
        }
    return {"backend": backend, "levels": levels}


def rng_sample(size: int, count: int) -> list[int]:
    return random.Random(size).sample(range(size), min(size, count)) if size else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--status-reps", type=int, default=5)
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
    for backend in args.backends.split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--backend", backend, *sys.argv[1:]],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if child.returncode != 0:
            print(child.stdout, child.stderr, file=sys.stderr)
            return child.returncode
        result = json.loads(child.stdout.strip().splitlines()[-1])
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
