"""Roster CSV export: time, queries and peak Python memory for a large event.

    python bench/roster_export.py --rows 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/roster_export.py

Builds one event with two sessions and ``--rows`` confirmed students (every other one
attended and gave feedback, every fourth holds a certificate) in a fresh database
(a temporary SQLite file unless DATABASE_URL is set; its tables are emptied first),
then streams the CSV exactly as the roster page's download does and reports rows per
second, the number of queries, and the peak memory traced while streaming, next to
the peak when the same rows are first collected into a list.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)


def build(rows: int):
    from django.utils import timezone

    from certificates.models import Certificate
    from events.models import Event, EventSession
    from eventsite import ids
    from registrations.models import Attendance, Feedback, Registration, Student

    now = timezone.now()
    event = Event.objects.create(
        event_id="bench-roster",
        title="Roster bench",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=1),
        status=Event.Status.PUBLISHED,
        confirmed_count=rows,
    )
    sessions = [EventSession.objects.create(event=event, code=f"day-{n}", title=f"Day {n}", position=n) for n in (1, 2)]
    students = [
        Student(enrollment_no=f"22CSE{n:06d}", full_name=f"Student {n}", department="CSE", year=1 + n % 4)
        for n in range(rows)
    ]
    Student.objects.bulk_create(students, batch_size=2000)
    registrations = [
        Registration(
            registration_id=ids.new_registration_id(),
            event=event,
            student=student,
            status="confirmed",
            checkin_code=ids.new_checkin_code(),
            registered_at=now - timedelta(days=3),
        )
        for student in students
    ]
    Registration.objects.bulk_create(registrations, batch_size=2000)
    attended = registrations[::2]
    Attendance.objects.bulk_create(
        [
            Attendance(
                attendance_id=ids.new_attendance_id(),
                event=event,
                student_id=reg.student_id,
                registration=reg,
                session=sessions[0],
            )
            for reg in attended
        ],
        batch_size=2000,
    )
    Feedback.objects.bulk_create(
        [
            Feedback(feedback_id=ids.new_feedback_id(), event=event, student_id=reg.student_id, rating=4)
            for reg in attended
        ],
        batch_size=2000,
    )
    Certificate.objects.bulk_create(
        [
            Certificate(
                certificate_id=ids.new_certificate_id(),
                event=event,
                student_id=reg.student_id,
                registration=reg,
                issued_at=now,
            )
            for reg in registrations[::4]
        ],
        batch_size=2000,
    )
    return event


def measure(event) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.views import _roster_csv_lines
    from registrations.exports import roster_rows

    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        lines = 0
        size = 0
        for line in _roster_csv_lines(event):
            lines += 1
            size += len(line)
    elapsed = time.perf_counter() - started
    _, streaming_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    tracemalloc.start()
    collected = list(roster_rows(event))
    _, collected_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rows = lines - 1
    print(f"database            {connection.vendor}")
    print(f"rows                {rows}")
    print(f"csv size            {size / 1024:.0f} KiB")
    print(f"time                {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)")
    print(f"queries             {len(captured)}")
    print(f"peak while streaming {streaming_peak / 1024 / 1024:.1f} MiB")
    print(f"peak as a list       {collected_peak / 1024 / 1024:.1f} MiB ({len(collected)} rows held)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    setup_django()
    event = build(args.rows)
    measure(event)


if __name__ == "__main__":
    main()
