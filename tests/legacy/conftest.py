"""Helpers for the legacy migration tests: files written as mongoexport would, table dumps."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from certificates.models import Certificate
from events.models import Event, EventSession
from registrations.models import Attendance, Feedback, Registration, Student, Team

DATA = Path(__file__).parent / "data"
AUTO_TIMESTAMPS = {"created_at", "updated_at"}


@pytest.fixture
def sample_path() -> Path:
    """The sample beside LEGACY_FORMAT.md; the copy in tests/legacy/data keeps the suite self-contained."""
    copy = DATA / "legacy-sample.jsonl"
    return copy if copy.exists() else Path(settings.BASE_DIR).parent / "shared" / "legacy-sample.jsonl"


@pytest.fixture
def write_jsonl(tmp_path):
    def write(documents: list, name: str = "events.jsonl") -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps(doc) + "\n" for doc in documents), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_array(tmp_path):
    def write(documents: list, name: str = "events.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(documents, indent=2), encoding="utf-8")
        return path

    return write


@pytest.fixture
def migrate(tmp_path):
    """Run the command; returns (report dict, printed output)."""

    def run(*files, students=None, dry_run=False, reader_process="auto", extra=()) -> tuple[dict, str]:
        report_path = tmp_path / "report.json"
        args = [str(path) for path in files] + ["--report", str(report_path), "--reader-process", reader_process]
        if students:
            args += ["--students", str(students)]
        if dry_run:
            args.append("--dry-run")
        args += list(extra)
        out = StringIO()
        call_command("migrate_legacy_events", *args, stdout=out)
        return json.loads(report_path.read_text()), out.getvalue()

    return run


def table_dump(*, timestamps: bool = True) -> dict[str, list]:
    """Every row of every table the migration writes, keyed by natural keys (no autoincrement ids)."""

    def rows(queryset, *fields):
        names = [name for name in fields if timestamps or name not in AUTO_TIMESTAMPS]
        return sorted(queryset.values_list(*names), key=repr)

    event_fields = [f.attname for f in Event._meta.concrete_fields]
    return {
        "events": rows(Event.objects.all(), *event_fields),
        "organizers": sorted(Event.organizers.through.objects.values_list("event_id", "user__username")),
        "sessions": rows(EventSession.objects.all(), "event_id", "code", "title", "starts_at", "position"),
        "students": rows(Student.objects.all(), *[f.attname for f in Student._meta.concrete_fields]),
        "teams": rows(Team.objects.all(), *[f.attname for f in Team._meta.concrete_fields]),
        "registrations": rows(Registration.objects.all(), *[f.attname for f in Registration._meta.concrete_fields]),
        "attendances": rows(
            Attendance.objects.all(),
            "attendance_id",
            "event_id",
            "student_id",
            "registration_id",
            "session__code",
            "marked_at",
            "marked_by__username",
        ),
        "feedbacks": rows(Feedback.objects.all(), *[f.attname for f in Feedback._meta.concrete_fields]),
        "certificates": rows(Certificate.objects.all(), *[f.attname for f in Certificate._meta.concrete_fields]),
    }


def tables_empty() -> bool:
    return all(not rows for rows in table_dump().values())
