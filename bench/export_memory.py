"""Peak memory of the roster exports: CSV and XLSX of one event with 20,000 registrations.

    python bench/export_memory.py                   # SQLite in a temporary directory
    python bench/export_memory.py --rows 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_export python bench/export_memory.py

The parent process writes the event once (bulk inserts: two sessions, attendance,
feedback with an answer to one question, certificates); each export then runs in fresh
child processes, so its figures are its own: one run for the time and the resident set
size (sampled during the export: before, peak, growth), one under tracemalloc for the
Python heap peak. A baseline holds every row in a list, as a non-streaming export would.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENT_ID = "bench-export"


def _django(database: Path | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    if database is not None and "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()


def _populate(rows: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from certificates.models import Certificate
    from events.models import Event, EventSession
    from registrations.models import Attendance, Feedback, FeedbackAnswer, FeedbackQuestion, Registration, Student

    call_command("migrate", verbosity=0)
    Event.objects.filter(pk=EVENT_ID).delete()
    now = timezone.now()
    event = Event.objects.create(
        event_id=EVENT_ID, title="Export benchmark", starts_at=now, ends_at=now, status=Event.Status.PUBLISHED
    )
    day1 = EventSession.objects.create(event=event, code="d1", title="Day 1", position=0)
    EventSession.objects.create(event=event, code="d2", title="Day 2", position=1)
    question = FeedbackQuestion.objects.create(event=event, prompt="The venue", kind="rating")
    batch = 2000
    for start in range(0, rows, batch):
        numbers = range(start, min(start + batch, rows))
        Student.objects.bulk_create(
            [
                Student(
                    enrollment_no=f"24BEX{n:06d}", full_name=f"Student number {n}", department="CSE", year=n % 4 + 1
                )
                for n in numbers
            ],
            ignore_conflicts=True,
        )
        registrations = Registration.objects.bulk_create(
            [
                Registration(
                    registration_id=f"RB{n:015d}",
                    event=event,
                    student_id=f"24BEX{n:06d}",
                    status="confirmed",
                    registered_at=now,
                )
                for n in numbers
            ]
        )
        Attendance.objects.bulk_create(
            [
                Attendance(
                    attendance_id=f"AB{r.pk[2:]}", event=event, student_id=r.student_id, registration=r, session=day1
                )
                for r in registrations[::2]
            ]
        )
        feedbacks = Feedback.objects.bulk_create(
            [
                Feedback(feedback_id=f"FB{r.pk[2:]}", event=event, student_id=r.student_id, registration=r, rating=4)
                for r in registrations[::4]
            ]
        )
        FeedbackAnswer.objects.bulk_create([FeedbackAnswer(feedback=f, question=question, rating=5) for f in feedbacks])
        Certificate.objects.bulk_create(
            [
                Certificate(
                    certificate_id=f"CB{r.pk[2:]}", event=event, student_id=r.student_id, registration=r, issued_at=now
                )
                for r in registrations[::2]
            ]
        )


def _rss_now_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


class _RssSampler(threading.Thread):
    """The largest resident set size seen while the export runs, sampled every 2 ms.

    The process's own high-water mark (ru_maxrss) is no use here: Django's start-up
    already sets it higher than a streamed export ever goes.
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kib = _rss_now_kib()
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.002):
            self.peak_kib = max(self.peak_kib, _rss_now_kib())

    def stop(self) -> int:
        self._done.set()
        self.join()
        self.peak_kib = max(self.peak_kib, _rss_now_kib())
        return self.peak_kib


def _export(kind: str, event) -> int:
    from analytics.roster_export import export_rows, roster_csv_lines, roster_xlsx

    if kind == "csv":
        return sum(len(line.encode()) for line in roster_csv_lines(event))
    if kind == "xlsx":
        with roster_xlsx(event) as output:
            return len(output.read())
    rows = list(export_rows(event))  # every row held at once: what streaming avoids
    return sum(len(repr(row)) for row in rows)


def _measure(kind: str, traced: bool) -> dict:
    """Run one export in this (fresh) process. Traced runs give the heap peak only: tracemalloc
    slows Python several times over, so the time and RSS come from an untraced run."""
    import analytics.roster_export  # noqa: F401 - imported (with openpyxl) before measuring
    from events.models import Event

    event = Event.objects.get(pk=EVENT_ID)  # and the connection opened
    rss_start = _rss_now_kib()
    sampler = _RssSampler()
    if traced:
        tracemalloc.start()
    else:
        sampler.start()
    started = time.perf_counter()
    size = _export(kind, event)
    seconds = time.perf_counter() - started
    figures = {"kind": kind, "seconds": round(seconds, 2), "bytes": size}
    if traced:
        figures["heap_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    else:
        peak = sampler.stop()
        figures["rss_start_mib"] = round(rss_start / 1024, 1)
        figures["rss_peak_mib"] = round(peak / 1024, 1)
        figures["rss_growth_mib"] = round((peak - rss_start) / 1024, 1)
    return figures


def _child(kind: str, database: Path, traced: bool) -> dict:
    command = [sys.executable, __file__, "--measure", kind, "--database", str(database)]
    if traced:
        command.append("--traced")
    answer = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--measure", choices=["csv", "xlsx", "list"], help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _django(args.database)
        print(json.dumps(_measure(args.measure, args.traced)))
        return
    with tempfile.TemporaryDirectory() as directory:
        database = Path(directory) / "export-bench.sqlite3"
        _django(database)
        _populate(args.rows)
        from django.db import connection

        engine = connection.vendor
        connection.close()
        print(f"Roster export, {args.rows:,} registrations, {engine}")
        print(
            f"{'export':<22}{'seconds':>9}{'output':>10}{'heap peak':>11}{'RSS before':>12}{'RSS peak':>10}"
            f"{'RSS growth':>12}"
        )
        labels = {"csv": "CSV (streamed)", "xlsx": "XLSX (write-only)", "list": "rows held in a list"}
        for kind in ("csv", "xlsx", "list"):
            plain, traced = _child(kind, database, traced=False), _child(kind, database, traced=True)
            print(
                f"{labels[kind]:<22}{plain['seconds']:>9.2f}{plain['bytes'] / 2**20:>8.1f}MB"
                f"{traced['heap_peak_mib']:>9.1f}MB{plain['rss_start_mib']:>10.1f}MB{plain['rss_peak_mib']:>8.1f}MB"
                f"{plain['rss_growth_mib']:>10.1f}MB"
            )


if __name__ == "__main__":
    main()
