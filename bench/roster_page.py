"""The organizers' roster of a large event: the page and the API, plain, searched and filtered.

    python bench/roster_page.py                                                      # SQLite, temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roster python bench/roster_page.py
    python bench/roster_page.py --registrants 20000 --repeat 7

The event's rows (students, registrations, two answers each, a check-in for every other one)
are written once by bulk inserts; requests go through Django's test client in this process
(the whole view: login, queries, template or serializer). Printed per request: the median and
fastest time of --repeat and the number of queries, which must not grow with the event.
"""

import argparse
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
EVENT_ID = "bench-roster"
PREFIX = "26BRS"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'roster.sqlite3'}"
    import django

    django.setup()


def _populate(registrants: int):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from events.models import Event, EventQuestion, EventSession
    from eventsite import ids
    from registrations.models import Attendance, Registration, RegistrationAnswer, Student

    call_command("migrate", verbosity=0)
    # A previous run's rows that protect the event's go first.
    RegistrationAnswer.objects.filter(registration__event_id=EVENT_ID).delete()
    Attendance.objects.filter(event_id=EVENT_ID).delete()
    Registration.objects.filter(event_id=EVENT_ID).delete()
    Event.objects.filter(pk=EVENT_ID).delete()
    Student.objects.filter(enrollment_no__startswith=PREFIX).delete()
    now = timezone.now()
    event = Event.objects.create(
        event_id=EVENT_ID,
        title="Roster benchmark",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=6),
        status=Event.Status.PUBLISHED,
        confirmed_count=registrants,
    )
    session = EventSession.objects.create(event=event, code="main", title="Main", starts_at=event.starts_at)
    size = EventQuestion.objects.create(
        event=event, code="tshirt", label="T-shirt size", kind="choice", choices=["S", "M", "L"], position=0
    )
    laptop = EventQuestion.objects.create(event=event, code="laptop", label="Laptop?", kind="yes_no", position=1)
    organizer, _ = User.objects.get_or_create(username="bench-roster-organizer")
    event.organizers.add(organizer)
    batch = 2000
    for start in range(0, registrants, batch):
        numbers = range(start, min(start + batch, registrants))
        Student.objects.bulk_create(
            [
                Student(enrollment_no=f"{PREFIX}{n:06d}", full_name=f"Student Number {n}", department="BRS")
                for n in numbers
            ]
        )
        registrations = Registration.objects.bulk_create(
            [
                Registration(
                    registration_id=ids.new_registration_id(),
                    event=event,
                    student_id=f"{PREFIX}{n:06d}",
                    status="confirmed",
                    checkin_code=ids.new_checkin_code(),
                    registered_at=now,
                )
                for n in numbers
            ]
        )
        RegistrationAnswer.objects.bulk_create(
            [
                answer
                for n, registration in zip(numbers, registrations, strict=True)
                for answer in (
                    RegistrationAnswer(registration=registration, question=size, value="SML"[n % 3]),
                    RegistrationAnswer(registration=registration, question=laptop, value=n % 2 == 0),
                )
            ]
        )
        Attendance.objects.bulk_create(
            [
                Attendance(
                    attendance_id=ids.new_attendance_id(),
                    event=event,
                    student_id=registration.student_id,
                    registration=registration,
                    session=session,
                    marked_at=now,
                    method="scan",
                )
                for n, registration in zip(numbers, registrations, strict=True)
                if n % 2 == 0
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load: the planner sees the real sizes
    return organizer


def _measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        queries.add(len(captured))
    return {
        "ms_median": round(statistics.median(times) * 1000, 1),
        "ms_min": round(min(times) * 1000, 1),
        "queries": sorted(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrants", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _django()
    from django.db import connection
    from django.test import Client

    organizer = _populate(args.registrants)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(organizer)
    page = f"/events/{EVENT_ID}/manage/roster/"
    api = f"/api/v2/events/{EVENT_ID}/roster/"
    requests = {
        "page_first": page,
        "page_last": f"{page}?page=last",
        "page_search": f"{page}?q=Number+4999",
        "page_session": f"{page}?session=main&status=confirmed",
        "api_100": f"{api}?page_size=100",
        "api_search": f"{api}?q=4999&page_size=100",
        "api_session": f"{api}?session=main&page_size=100",
    }
    figures = {"database": connection.vendor, "registrants": args.registrants}
    figures |= {name: _measure(client, url, args.repeat) for name, url in requests.items()}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
