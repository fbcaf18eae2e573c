"""An announcement to 10,000 registrants: the time to queue it, and the worker's sending rate.

    python bench/announcements.py                      # SQLite in a temporary directory
    python bench/announcements.py --registrants 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_comms python bench/announcements.py

The event and its confirmed registrants are written once with bulk inserts. Then the
organizer's request is timed: ``announcement_send`` (the limit check under the event's lock,
the announcement row and every recipient's outbox row in one INSERT ... SELECT). The worker's
own loop (``deliver``, batches of 100 over one connection each) then sends them all to Django's
in-memory backend, emptied after each batch as a mail server would take them; the process's
resident memory is read after every 1,000 emails to show it stays flat. Run with ``DEBUG=0`` (as
in production: templates compiled once) unless you want the development figures.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENT_ID = "bench-announcement"


def _django(database: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["NOTIFICATIONS_SENDER"] = "worker"
    import django

    django.setup()


def _populate(registrants: int):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from events.models import Event
    from registrations.models import Notification, Registration, Student

    call_command("migrate", verbosity=0)
    Notification.objects.all().delete()
    Event.objects.filter(pk=EVENT_ID).delete()
    now = timezone.now()
    event = Event.objects.create(
        event_id=EVENT_ID,
        title="Announcement benchmark",
        venue="Main Auditorium",
        starts_at=now + timezone.timedelta(days=3),
        ends_at=now + timezone.timedelta(days=3, hours=4),
        status=Event.Status.PUBLISHED,
    )
    organizer, _ = User.objects.get_or_create(username="bench-organizer")
    event.organizers.add(organizer)
    for start in range(0, registrants, 2000):
        numbers = range(start, min(start + 2000, registrants))
        Student.objects.bulk_create(
            [
                Student(
                    enrollment_no=f"24BAN{n:06d}",
                    full_name=f"Student number {n}",
                    email=f"24ban{n:06d}@college.example",
                    department="CSE",
                )
                for n in numbers
            ],
            ignore_conflicts=True,
        )
        Registration.objects.bulk_create(
            [
                Registration(
                    registration_id=f"RBA{n:014d}",
                    event=event,
                    student_id=f"24BAN{n:06d}",
                    status="confirmed",
                    registered_at=now,
                )
                for n in numbers
            ]
        )
    return event, organizer


def _rss_mb() -> float:
    """The resident set size now (Linux), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrants", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100, help="Emails per worker batch (the worker's default).")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        _django(Path(directory) / "bench.sqlite3")
        from django.conf import settings
        from django.core import mail
        from django.db import connection
        from django.urls import reverse

        from comms.services import announcement_send
        from registrations.notifications import deliver

        event, organizer = _populate(arguments.registrants)
        print(f"database: {connection.vendor}; registrants: {arguments.registrants}")

        started = time.perf_counter()
        announcement = announcement_send(
            event=event,
            subject="The talk moves to Lab 3",
            body="Dear all,\nthe talk moves to Lab 3 on the second floor.\nBring your laptop.",
            audience="confirmed",
            actor=organizer,
        )
        queued = time.perf_counter() - started
        print(f"queued: {announcement.recipients} emails in {queued:.2f} s")

        mail.outbox = []
        reverse("event-detail", args=[EVENT_ID])  # load the URL configuration before the clock starts
        rss_marks: list[float] = [_rss_mb()]
        sent = 0
        started = time.perf_counter()
        while (delivery := deliver(limit=arguments.batch)).claimed:
            sent += delivery.sent
            mail.outbox.clear()  # taken by the mail server
            if sent % 1000 < arguments.batch:
                rss_marks.append(_rss_mb())
        elapsed = time.perf_counter() - started
        print(f"sent: {sent} emails in {elapsed:.1f} s = {sent / elapsed:.0f} emails/s (DEBUG={settings.DEBUG})")
        print("resident memory before and after each 1,000 emails (MB): " + ", ".join(f"{m:.0f}" for m in rss_marks))


if __name__ == "__main__":
    main()
