"""The door at scale: the check-in roster of 5,000 registrants, and a batch of 500 offline scans.

    python bench/door_checkin.py                                                   # SQLite, temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/door python bench/door_checkin.py
    python bench/door_checkin.py --registrants 10000 --scans 1000

Requests go through Django's test client in this process (the whole view: authentication,
queries, serialization), with the event's rows written once by bulk inserts. Printed: the
roster's time (median of --repeat), its queries and its size raw and gzipped; the batch's
time on a first send (every scan new) and on a resend (every scan already answered), with
their queries.
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENT_ID = "bench-door"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'door.sqlite3'}"
    import django

    django.setup()


def _populate(registrants: int):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from events.models import Event, EventSession
    from eventsite import ids
    from registrations.models import Registration, Student

    call_command("migrate", verbosity=0)
    Event.objects.filter(pk=EVENT_ID).delete()
    Registration.objects.filter(student__enrollment_no__startswith="26BDR").delete()
    Student.objects.filter(enrollment_no__startswith="26BDR").delete()
    now = timezone.now()
    event = Event.objects.create(
        event_id=EVENT_ID,
        title="Door benchmark",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=6),
        status=Event.Status.PUBLISHED,
        confirmed_count=registrants,
    )
    EventSession.objects.create(event=event, code="main", title="Main", starts_at=event.starts_at)
    organizer, _ = User.objects.get_or_create(username="bench-door-organizer")
    event.organizers.add(organizer)
    codes = {}
    batch = 2000
    for start in range(0, registrants, batch):
        numbers = range(start, min(start + batch, registrants))
        Student.objects.bulk_create(
            [Student(enrollment_no=f"26BDR{n:06d}", full_name=f"Student Number {n}", department="BDR") for n in numbers]
        )
        rows = []
        for n in numbers:
            code = ids.new_checkin_code()
            codes[f"26BDR{n:06d}"] = code
            rows.append(
                Registration(
                    registration_id=ids.new_registration_id(),
                    event=event,
                    student_id=f"26BDR{n:06d}",
                    status="confirmed",
                    checkin_code=code,
                    registered_at=now,
                )
            )
        Registration.objects.bulk_create(rows)
    return event, organizer, codes


def _timed(call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - started
    return response, elapsed, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrants", type=int, default=5000)
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    event, organizer, codes = _populate(args.registrants)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(organizer)

    roster_times, roster_queries, body = [], set(), b""
    for _ in range(args.repeat):
        response, elapsed, queries = _timed(lambda: client.get(f"/api/v2/events/{EVENT_ID}/checkin-roster"))
        assert response.status_code == 200, response.content[:300]
        roster_times.append(elapsed)
        roster_queries.add(queries)
        body = response.content
    roster = json.loads(body)
    assert roster["expected"] == args.registrants and all(
        code not in body.decode() for code in list(codes.values())[:50]
    )

    scanned_at = timezone.now().isoformat()
    scans = [
        {"scan_id": f"bench-{i}", "checkin_code": code, "session": "main", "scanned_at": scanned_at}
        for i, code in enumerate(list(codes.values())[: args.scans])
    ]
    payload = json.dumps({"scans": scans})
    send = lambda: client.post(f"/api/v2/attendance/batch/{EVENT_ID}", payload, content_type="application/json")  # noqa: E731
    first, first_time, first_queries = _timed(send)
    assert first.status_code == 200, first.content[:300]
    statuses = {r["status"] for r in first.json()["results"]}
    again, again_time, again_queries = _timed(send)
    assert again.json() == first.json()

    figures = {
        "database": connection.vendor,
        "registrants": args.registrants,
        "roster_ms_median": round(statistics.median(roster_times) * 1000, 1),
        "roster_ms_min": round(min(roster_times) * 1000, 1),
        "roster_queries": sorted(roster_queries),
        "roster_bytes": len(body),
        "roster_gzip_bytes": len(gzip.compress(body, 6)),
        "batch_scans": args.scans,
        "batch_statuses": sorted(statuses),
        "batch_first_ms": round(first_time * 1000, 1),
        "batch_first_queries": first_queries,
        "batch_resend_ms": round(again_time * 1000, 1),
        "batch_resend_queries": again_queries,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
