"""Bulk issue of certificates and their PDFs: certificates per second and memory, at two sizes.

    python bench/certificates_bulk.py                      # 1,000 and 5,000, SQLite in a temporary directory
    python bench/certificates_bulk.py --counts 1000 5000 --steps issue
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/certificates_bulk.py

For each count the parent writes one event with that many confirmed, attending students and a
certificate template with a logo and three signatures (bulk inserts). Then fresh child
processes each run one step, so the figures are the step's own:

- issue: ``certificate_issue_all_eligible`` as the pages and the admin call it (counts only), with
  ``NOTIFICATIONS_SENDER=worker`` as in production: the emails are owed in the outbox and sent
  by the worker, not measured here;
- listed: the same issue as the API calls it, whose answer names every student's certificate
  (``listing=True``): that answer itself grows with the count;
- render: ``certificate_pdfs`` over the event's certificates, each PDF written into a zip
  file on disk as it is made, as a "download all" would.

Each step runs with ``DEBUG=0`` as in production (``DEBUG=1`` keeps every query's SQL) and
reports its time and the resident set size growth (sampled every 2 ms); with ``--heap``, a
second run under tracemalloc adds the Python heap peak. Flat memory means the 5,000 figures
match the 1,000 ones.
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
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENT_ID = "bench-certificates"
ISSUE_STEPS = ("issue", "listed")
STEPS = (*ISSUE_STEPS, "render")


def _django(database: Path | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    # As in production: the emails owed go to the outbox for the worker, not out of this process.
    os.environ.setdefault("NOTIFICATIONS_SENDER", "worker")
    # As in production: with DEBUG on, Django keeps every query's SQL (the bulk inserts' too) in
    # the connection's log, memory that grows with the count and is no part of the service.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "certificates-bench-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    if database is not None and "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()


def _image(size: tuple[int, int], *, transparent: bool) -> bytes:
    """A logo-like or signature-like picture: shapes on a plain or transparent ground."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGBA" if transparent else "RGB", size, (0, 0, 0, 0) if transparent else (250, 247, 240))
    draw = ImageDraw.Draw(image)
    for step in range(12):
        box = (step * size[0] // 24, step * size[1] // 24, size[0] - step * size[0] // 24, size[1] - step * 3)
        draw.ellipse(box, outline=(20 + step * 15, 40, 120, 255), width=3)
    out = BytesIO()
    image.save(out, format="PNG" if transparent else "JPEG")
    return out.getvalue()


def _populate(count: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from certificates.models import Certificate
    from certificates.services import Signatory, certificate_template_create
    from events.models import Event, EventSession
    from registrations.models import Attendance, Registration, RegistrationStatus, Student

    call_command("migrate", verbosity=0)
    for model in (Certificate, Attendance, Registration, EventSession):
        model.objects.filter(event_id=EVENT_ID).delete()
    Event.objects.filter(pk=EVENT_ID).delete()
    template = certificate_template_create(
        club=None,
        name="Bench",
        institution="Government College of Engineering, Pune",
        signatories=[Signatory("Dr. A. Deshmukh", "Principal"), Signatory("R. Kulkarni", "Dean"), Signatory("M. Iyer")],
        logo=_image((900, 900), transparent=False),
        signatures={n: _image((700, 220), transparent=True) for n in (1, 2, 3)},
    )
    now = timezone.now()
    event = Event.objects.create(
        event_id=EVENT_ID,
        title="Certificate benchmark",
        starts_at=now,
        ends_at=now,
        status=Event.Status.PUBLISHED,
        certificate_template=template,
        confirmed_count=count,
    )
    session = EventSession.objects.create(event=event, code="d1", title="Day 1", position=0)
    batch = 1000
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        students = [
            Student(enrollment_no=f"26BEN{n:05d}", full_name=f"Student Número {n} देव", email=f"s{n}@example.edu")
            for n in numbers
        ]
        Student.objects.bulk_create(students, ignore_conflicts=True)
        registrations = Registration.objects.bulk_create(
            [
                Registration(
                    registration_id=f"RB{EVENT_ID[:4]}{n:08d}",
                    event=event,
                    student_id=f"26BEN{n:05d}",
                    status=RegistrationStatus.CONFIRMED,
                    checkin_code=f"K{n:09d}",
                )
                for n in numbers
            ]
        )
        Attendance.objects.bulk_create(
            [
                Attendance(
                    attendance_id=f"AB{n:08d}",
                    event=event,
                    session=session,
                    student_id=registration.student_id,
                    registration=registration,
                    marked_at=now,
                )
                for n, registration in zip(numbers, registrations, strict=True)
            ]
        )


def _rss_now_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


class _RssSampler(threading.Thread):
    """The largest resident set size seen while the step runs, sampled every 2 ms."""

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
        return max(self.peak_kib, _rss_now_kib())


def _step(step: str, out: Path) -> dict:
    from certificates.models import Certificate
    from certificates.pdf import certificate_pdfs
    from certificates.services import certificate_issue_all_eligible
    from events.models import Event

    event = Event.objects.get(pk=EVENT_ID)
    if step in ISSUE_STEPS:
        return {"made": certificate_issue_all_eligible(event=event, listing=step == "listed").created}
    largest = made = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate, content in certificate_pdfs(Certificate.objects.filter(event=event)):
            archive.writestr(f"{certificate.pk}.pdf", content)
            largest, made = max(largest, len(content)), made + 1
    return {"made": made, "largest_pdf": largest, "archive_bytes": out.stat().st_size}


def _measure(step: str, traced: bool, out: Path) -> dict:
    from django.db import connection

    connection.ensure_connection()
    if traced:
        tracemalloc.start()
    sampler = _RssSampler()
    before = _rss_now_kib()
    sampler.start()
    started = time.perf_counter()
    result = _step(step, out)
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    result.update(seconds=seconds, rss_growth_mib=(peak - before) / 1024)
    if traced:
        result["heap_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    return result


def _child(step: str, database: Path, out: Path, *, traced: bool, reset: bool) -> dict:
    if reset:
        _clear_certificates(database)
    command = [sys.executable, __file__, "--measure", step, "--database", str(database), "--out", str(out)]
    if traced:
        command.append("--traced")
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ.copy())
    return json.loads(done.stdout.strip().splitlines()[-1])


def _clear_certificates(database: Path) -> None:
    from django.db import connection

    from certificates.models import Certificate

    Certificate.objects.filter(event_id=EVENT_ID).delete()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    parser.add_argument("--heap", action="store_true", help="also measure the Python heap peak (tracemalloc)")
    parser.add_argument("--measure", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _django(args.database)
        print(json.dumps(_measure(args.measure, args.traced, args.out)))
        return
    with tempfile.TemporaryDirectory() as directory:
        database, out = Path(directory) / "certificates-bench.sqlite3", Path(directory) / "certificates.zip"
        _django(database)
        from django.db import connection

        print(f"Certificates: bulk issue and PDFs, {connection.vendor}, a template with a logo and three signatures")
        columns = ("seconds", "per second", "RSS growth", "heap peak", "largest PDF")
        print(f"{'count':>6} {'step':<7}" + "".join(f"{name:>12}" for name in columns))
        for count in args.counts:
            _populate(count)
            connection.close()
            if not set(ISSUE_STEPS) & set(args.steps):
                _child("issue", database, out, traced=False, reset=True)  # the certificates to draw, unmeasured
            for step in args.steps:
                # Each issue run starts from no certificates; the traced runs (--heap) double the time.
                plain = _child(step, database, out, traced=False, reset=step in ISSUE_STEPS)
                traced = _child(step, database, out, traced=True, reset=step in ISSUE_STEPS) if args.heap else None
                largest = f"{plain['largest_pdf'] / 1024:.0f} KB" if "largest_pdf" in plain else ""
                heap = f"{traced['heap_peak_mib']:.1f}MB" if traced else "-"
                print(
                    f"{count:>6} {step:<7}{plain['seconds']:>12.2f}{plain['made'] / plain['seconds']:>12.0f}"
                    f"{plain['rss_growth_mib']:>10.1f}MB{heap:>12}{largest:>12}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
