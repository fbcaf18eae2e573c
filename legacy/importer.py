"""The legacy import engine: documents in, rows out, everything reported.

Safe and repeatable:
- each event is written in its own transaction, and every row is computed from the
  legacy data alone (legacy ids kept, missing ones derived, check-in codes derived),
  so running again on the same files compares, finds nothing different and writes
  nothing; a run killed at any point leaves whole events, and the next run finishes
  the rest to the same state as one clean run;
- students are stored once: during the run a student first seen gets a provisional
  row (no email yet) so the event can point at it; when every file has been read the
  winning data (the ``--students`` export, then per field the newest registration's
  copy) is written in one transaction with emails made unique;
- a dry run does all of it inside one transaction that is rolled back.

Rows are compared in memory with what the event already has (one query per table per
event) and new rows are inserted with ``executemany`` in batches: no query per row.
"""

import gc
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import DatabaseError, connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from certificates.models import Certificate
from events.models import Event, EventSession
from legacy.codec.decode import student_from_document
from legacy.codec.rows import LegacyEvent, Problem, RegistrationRow, SessionRow, StudentData, TeamRow
from legacy.codec.values import calendar_token_for
from legacy.decoding import Decoded, decoded_events
from legacy.models import ImportedEvent, ImportedStudent
from legacy.reader import DEFAULT_MAX_RECORD_MB, ReadError, read_plain_documents
from registrations.integrity import integrity_problems
from registrations.models import ACTIVE_STATUSES, Attendance, Feedback, Registration, Student, Team

KINDS = ("events", "students", "teams", "registrations", "attendances", "feedbacks", "certificates")
FIELD_CODES = {"INVALID_EMAIL", "INVALID_DATE", "INVALID_VALUE", "DUPLICATE_SESSION"}
INSERT_BATCH = 2000
SQLITE_CACHE_KIB = 16 * 1024
SQLITE_CHECKPOINT_PAGES = 64 * 1024
QUERY_CHUNK = 5000
WARNING_EXAMPLES = 20
_ATTENDANCE_PATH = re.compile(r"(^attendances\.|\.attendance(\[|\.|$)|final_attendance_status)")


class ImportAborted(Exception):
    """The import could not go on (a file cannot be read, the database failed)."""


def problem_kind(problem: Problem) -> str:
    """Which kind of record a dropped problem took out ("fields" when only a field was left out)."""
    path = problem.path
    if problem.code in FIELD_CODES or "." not in path and "[" not in path:
        return "fields"
    if _ATTENDANCE_PATH.search(path):
        return "attendances"
    if path.startswith("feedbacks.") or ".feedback" in path:
        return "feedbacks"
    if path.startswith("certificates.") or ".certificate" in path:
        return "certificates"
    if path.startswith("registrations"):
        return "registrations"
    return "fields"


@dataclass
class Report:
    files: list[str]
    dry_run: bool
    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in (*KINDS, "fields")})
    dropped: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    warnings: dict[tuple, dict] = field(default_factory=dict)
    integrity: list[dict] = field(default_factory=list)

    def drop(self, kind: str, where: dict, event_id: str | None, path: str, code: str, message: str) -> None:
        self.counts[kind]["dropped"] += 1
        self.dropped.append({**where, "event_id": event_id, "path": path, "code": code, "message": message})

    def conflict(self, kind: str, **details: Any) -> None:
        self.conflicts.append({"kind": kind, **details})

    def warn(self, where: dict, event_id: str, problem: Problem) -> None:
        key = (event_id, problem.code)
        entry = self.warnings.get(key)
        if entry is None:
            entry = self.warnings[key] = {
                **where,
                "event_id": event_id,
                "code": problem.code,
                "message": problem.message,
                "count": 0,
                "paths": [],
            }
        entry["count"] += 1
        if len(entry["paths"]) < WARNING_EXAMPLES:
            entry["paths"].append(problem.path)

    def conflicts_by_kind(self) -> dict[str, int]:
        return dict(sorted(Counter(conflict["kind"] for conflict in self.conflicts).items()))

    def warnings_by_code(self) -> dict[str, int]:
        totals: Counter = Counter()
        for entry in self.warnings.values():
            totals[entry["code"]] += entry["count"]
        return dict(sorted(totals.items()))

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "dry_run": self.dry_run,
            "counts": {
                kind: {name: counts.get(name, 0) for name in ("created", "updated", "unchanged", "dropped")}
                for kind, counts in self.counts.items()
            },
            "conflicts_by_kind": self.conflicts_by_kind(),
            "warnings_by_code": self.warnings_by_code(),
            "dropped": self.dropped,
            "conflicts": self.conflicts,
            "warnings": list(self.warnings.values()),
            "integrity": self.integrity,
        }


class StudentBook:
    """Every copy of every student seen in the run; per field the winning value.

    The ``students`` export wins; among copies nested in registrations the newest
    registration's non-blank value wins. Every disagreement is kept for the report.
    """

    FIELDS = StudentData.FIELDS

    def __init__(self) -> None:
        self._values: dict[str, list] = {}
        self._ranks: dict[str, list] = {}
        self._variants: dict[tuple[str, str], dict[Any, tuple]] = {}

    def __contains__(self, enrollment_no: str) -> bool:
        return enrollment_no in self._values

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def observe(self, student: StudentData, rank: tuple) -> None:
        enrollment_no = student.enrollment_no
        values = self._values.get(enrollment_no)
        if values is None:
            # Most students are seen once or always the same: one tuple and one rank until they differ.
            self._values[enrollment_no] = (
                student.full_name,
                student.email,
                student.department,
                student.year,
                student.phone,
            )
            self._ranks[enrollment_no] = rank
            return
        ranks = self._ranks[enrollment_no]
        if not isinstance(ranks, list):
            values = self._values[enrollment_no] = list(values)
            ranks = self._ranks[enrollment_no] = [ranks] * len(self.FIELDS)
        for index, name in enumerate(self.FIELDS):
            value = getattr(student, name)
            if value in ("", None):
                continue
            current = values[index]
            if current not in ("", None) and current != value:
                variants = self._variants.setdefault((enrollment_no, name), {current: ranks[index]})
                variants.setdefault(value, rank)
            if current in ("", None) or rank > ranks[index]:
                values[index] = value
                ranks[index] = rank

    def data(self, enrollment_no: str) -> StudentData:
        return StudentData(enrollment_no, *self._values[enrollment_no])

    def email_rank(self, enrollment_no: str) -> tuple:
        ranks = self._ranks[enrollment_no]
        return ranks[self.FIELDS.index("email")] if isinstance(ranks, list) else ranks

    def blank_email(self, enrollment_no: str) -> None:
        values = list(self._values[enrollment_no])
        values[self.FIELDS.index("email")] = ""
        self._values[enrollment_no] = values

    def discard(self, enrollment_no: str) -> None:
        """Forget a student whose row the run must not write (one the migration did not create)."""
        del self._values[enrollment_no], self._ranks[enrollment_no]
        for key in [key for key in self._variants if key[0] == enrollment_no]:
            del self._variants[key]

    def disagreements(self):
        for (enrollment_no, name), variants in sorted(self._variants.items()):
            kept = self._values[enrollment_no][self.FIELDS.index(name)]
            yield {
                "enrollment_no": enrollment_no,
                "field": name,
                "kept": kept,
                "values": [{"value": value, "source": _source(rank)} for value, rank in variants.items()],
            }


def _source(rank: tuple) -> str:
    if rank[0] == 1:
        return f"students export {rank[2]} #{-rank[1]}"
    return f"event {rank[2]} registration {rank[3]}"


@contextmanager
def _bulk_write_settings():
    """SQLite only, for the run: a page cache that holds the indexes being filled, and fewer,
    larger WAL checkpoints (each event still commits on its own; a checkpoint only moves
    committed pages into the database file)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        autocheckpoint = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")


@contextmanager
def _young_collections_only():
    """No automatic full garbage collections during the run; the young generations are
    collected after each event (``_import_decoded``). The run keeps millions of small
    objects alive (every student's winning data until the end), and each automatic full
    collection walked all of them again: 16% of the time at 100,000 registrations, more
    as the run grows. Nothing the import builds refers to itself in a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _adapter(model: type[models.Model], names: tuple[str, ...]) -> Callable[[tuple], tuple]:
    """Rows as the database driver takes them: datetimes as the ORM would store them."""
    fields = [model._meta.get_field(name) for name in names]
    moments = [index for index, item in enumerate(fields) if isinstance(item, models.DateTimeField)]
    if not moments:
        return tuple
    if connection.vendor == "sqlite":

        def adapt(value: datetime) -> str:
            if value.tzinfo is not UTC:  # most legacy dates are already in UTC ("...Z")
                value = value.astimezone(UTC)
            return value.replace(tzinfo=None).isoformat(" ")
    else:
        adapt = connection.ops.adapt_datetimefield_value

    def convert(row: tuple) -> list:
        row = list(row)
        for index in moments:
            if row[index] is not None:
                row[index] = adapt(row[index])
        return row

    return convert


def _execute_many(sql: str, rows: list) -> None:
    with connection.cursor() as cursor:
        for batch in _chunks(rows, INSERT_BATCH):
            cursor.executemany(sql, batch)


def _insert_sql(model: type[models.Model], names: tuple[str, ...]) -> str:
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name).column for name in names]
    return "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table), ", ".join(quote(column) for column in columns), ", ".join(["%s"] * len(columns))
    )


def _insert(model: type[models.Model], names: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain INSERT of rows already known to be new, ``executemany`` in batches (the hot path)."""
    if not rows:
        return
    convert = _adapter(model, names)
    _execute_many(_insert_sql(model, names), [convert(row) for row in rows])


def _insert_unless_taken(model: type[models.Model], names: tuple[str, ...], rows: list[tuple], event_id: str):
    """INSERT rows new to this event, skipping any whose id (or natural key) is already taken;
    returns the skipped rows. Only a batch with a skipped row costs a query: asking "is any of
    these ids taken?" before every insert cost as much as the insert itself."""
    meta, quote = model._meta, connection.ops.quote_name
    sql = _insert_sql(model, names) + " ON CONFLICT DO NOTHING"
    convert = _adapter(model, names)
    skipped: list[tuple] = []
    with connection.cursor() as cursor:
        for batch in _chunks(rows, INSERT_BATCH):
            cursor.executemany(sql, [convert(row) for row in batch])
            if cursor.rowcount == len(batch):
                continue
            cursor.execute(
                "SELECT {pk} FROM {table} WHERE {event} = %s AND {pk} IN ({marks})".format(
                    pk=quote(meta.pk.column),
                    table=quote(meta.db_table),
                    event=quote(meta.get_field("event").column),
                    marks=", ".join(["%s"] * len(batch)),
                ),
                [event_id, *(row[0] for row in batch)],
            )
            inserted = {pk for (pk,) in cursor.fetchall()}
            skipped.extend(row for row in batch if row[0] not in inserted)
    return skipped


def _update(model: type[models.Model], names: tuple[str, ...], rows: list[tuple]) -> None:
    """UPDATE by primary key (the first name) of rows that differ from the legacy data."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name).column for name in names]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(column)} = %s" for column in columns[1:]), quote(columns[0])
    )
    convert = _adapter(model, names)
    _execute_many(sql, [(*converted[1:], converted[0]) for converted in map(convert, rows)])


def _existing_pks(model: type[models.Model], pks: list[str]) -> dict[str, str]:
    """``{pk: event_id}`` of the given primary keys that already exist anywhere (plain SQL: the
    ORM's per-parameter preparation costs more than the lookup itself)."""
    meta, quote = model._meta, connection.ops.quote_name
    found: dict[str, str] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(pks, QUERY_CHUNK):
            cursor.execute(
                "SELECT {pk}, {event} FROM {table} WHERE {pk} IN ({marks})".format(
                    pk=quote(meta.pk.column),
                    event=quote(meta.get_field("event").column),
                    table=quote(meta.db_table),
                    marks=", ".join(["%s"] * len(chunk)),
                ),
                chunk,
            )
            found.update(cursor.fetchall())
    return found


def _existing_students(enrollment_nos: list[str]) -> set[str]:
    quote = connection.ops.quote_name
    found: set[str] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(enrollment_nos, QUERY_CHUNK):
            cursor.execute(
                "SELECT {pk} FROM {table} WHERE {pk} IN ({marks})".format(
                    pk=quote("enrollment_no"), table=quote(Student._meta.db_table), marks=", ".join(["%s"] * len(chunk))
                ),
                chunk,
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


@dataclass
class _Sync:
    """New and changed rows of one table for one event, from the legacy rows and the stored ones."""

    created: list[tuple] = field(default_factory=list)
    changed: list[tuple] = field(default_factory=list)
    unchanged: int = 0


def _diff(rows: list[tuple], stored: dict[str, tuple]) -> _Sync:
    sync = _Sync()
    for row in rows:
        current = stored.get(row[0])
        if current is None:
            sync.created.append(row)
        elif current != row:
            sync.changed.append(row)
        else:
            sync.unchanged += 1
    return sync


def _provenance(where: dict, event_id: str | None = None) -> str:
    """Where a row came from, for its provenance: ``events.jsonl line 3`` (``(event X)``)."""
    position = f"line {where['line']}" if "line" in where else f"element {where['index']}"
    suffix = f" (event {event_id})" if event_id else ""
    text = f"{where['file']} {position}{suffix}"
    return text if len(text) <= 300 else "..." + text[-297:]


def _duplicate_message(first_copy: dict) -> str:
    position = f"line {first_copy['line']}" if "line" in first_copy else f"element {first_copy['index']}"
    return (
        f"The same event id is at {first_copy['file']} {position}: the first copy stays, "
        "this one is not imported (the same on every run)."
    )


class Importer:
    def __init__(
        self,
        files: list[Path | str],
        *,
        students_file: Path | str | None = None,
        dry_run: bool = False,
        progress: Callable[..., None] | None = None,
        reader_process: bool | None = None,
        max_record_mb: float = DEFAULT_MAX_RECORD_MB,
    ):
        self.files = [Path(name) for name in files]
        self.students_file = Path(students_file) if students_file else None
        self.report = Report(files=[str(path) for path in self.files], dry_run=dry_run)
        self.book = StudentBook()
        self.dry_run = dry_run
        self.progress = progress
        self.reader_process = reader_process  # decode in a second process (None: when it pays)
        self.max_record_mb = max_record_mb
        self._events_seen: dict[str, dict] = {}  # event id -> where its copy that is imported was read
        self.event_ids: list[str] = []
        self._known_students: set[str] = set()
        self._provisional: set[str] = set()
        self._users: dict[str, int | None] = {}
        self._events_done = 0
        self._registrations_done = 0
        self._bytes_total = 0

    # the run

    def run(self) -> Report:
        for path in [*self.files, *([self.students_file] if self.students_file else [])]:
            if not path.is_file():
                raise ImportAborted(f"{path}: no such file.")
        self._bytes_total = sum(path.stat().st_size for path in self.files)
        try:
            with _bulk_write_settings(), _young_collections_only():
                self._run_in_transactions()
        except ReadError as exc:
            raise ImportAborted(str(exc)) from exc
        except DatabaseError as exc:
            raise ImportAborted(f"Database error: {exc}") from exc
        return self.report

    def _run_in_transactions(self) -> None:
        if self.dry_run:
            with transaction.atomic():
                self._run_all()
                self.report.integrity = imported_events_integrity(self.event_ids)
                transaction.set_rollback(True)
        else:
            self._run_all()
            self.report.integrity = imported_events_integrity(self.event_ids)

    def _run_all(self) -> None:
        if self.students_file:
            self._read_students_export(self.students_file)
        files_before: dict[Path, int] = {}  # bytes of the files before each one
        total = 0
        for path in self.files:
            files_before.setdefault(path, total)
            total += path.stat().st_size
        decoded_all = decoded_events(self.files, reader_process=self.reader_process, max_record_mb=self.max_record_mb)
        for path, decoded in decoded_all:
            self._import_decoded(decoded)
            self._progress(files_before[path] + decoded.bytes_read)
        self._progress(self._bytes_total)
        self._students_write()

    def _progress(self, bytes_done: int) -> None:
        if self.progress is not None:
            self.progress(
                events=self._events_done,
                registrations=self._registrations_done,
                bytes_done=bytes_done,
                bytes_total=self._bytes_total,
            )

    # students

    def _read_students_export(self, path: Path) -> None:
        for document, position, kind, error in read_plain_documents(path, max_record_mb=self.max_record_mb):
            where = {"file": str(path), kind: position}
            if error is not None:
                self.report.drop("students", where, None, "", error.code, str(error))
                continue
            student, problems = student_from_document(document)
            for problem in problems:
                kind_of = "fields" if problem.code in FIELD_CODES else "students"
                self.report.drop(kind_of, where, None, problem.path, problem.code, problem.message)
            if student is not None:
                self.book.observe(student, (1, -position, str(path), ""))

    def _students_ensure(self, enrollment_nos: set[str], source: str) -> None:
        """Give students first seen in this run a provisional row (no email yet) so the event can point at them."""
        unknown = sorted(enrollment_nos - self._known_students)
        if not unknown:
            return
        existing = _existing_students(unknown)
        now = timezone.now()
        missing = [enr for enr in unknown if enr not in existing]
        names = ("enrollment_no", "full_name", "email", "department", "year", "phone", "calendar_token")
        for chunk in _chunks(missing, INSERT_BATCH):
            rows = []
            for enr in chunk:
                data = self.book.data(enr)
                rows.append(
                    (enr, data.full_name, "", data.department, data.year, data.phone, calendar_token_for(enr), now, now)
                )
            _insert(Student, (*names, "created_at", "updated_at"), rows)
        _insert(ImportedStudent, ("student_id", "source", "imported_at"), [(enr, source, now) for enr in missing])
        self._provisional.update(missing)
        self._known_students.update(unknown)

    def _students_write(self) -> None:
        """Write every student's winning data, emails unique, in one transaction.

        Chunk by chunk, so memory does not grow with the number of students: changed rows
        are written with a blank email first (a blank never collides), and the new emails
        are set once every student that gives one up has released it.
        """
        self._students_not_ours()
        for disagreement in self.book.disagreements():
            self.report.conflict("student", **disagreement)
        self._emails_resolve()
        names = ("enrollment_no", *StudentData.FIELDS)
        email_at = names.index("email")
        counts = self.report.counts["students"]
        now = timezone.now()
        new_emails: list[tuple[str, str]] = []
        with transaction.atomic():
            for chunk in _chunks(sorted(self.book), QUERY_CHUNK):
                stored = {row[0]: row for row in Student.objects.filter(pk__in=chunk).values_list(*names)}
                wanted = [(enr, *(getattr(self.book.data(enr), name) for name in StudentData.FIELDS)) for enr in chunk]
                sync = _diff(wanted, stored)
                provisional = sum(1 for row in sync.changed if row[0] in self._provisional)
                counts["created"] += len(sync.created) + provisional
                counts["updated"] += len(sync.changed) - provisional
                counts["unchanged"] += sync.unchanged
                changed = []
                for row in sync.changed:
                    if row[email_at] != stored[row[0]][email_at]:
                        new_emails.append((row[email_at], row[0]))
                        row = (*row[:email_at], "", *row[email_at + 1 :])
                    changed.append((*row, now))
                _update(Student, (*names, "updated_at"), changed)
                new_emails.extend((row[email_at], row[0]) for row in sync.created)
                _insert(
                    Student,
                    (*names, "calendar_token", "created_at", "updated_at"),
                    [
                        (*row[:email_at], "", *row[email_at + 1 :], calendar_token_for(row[0]), now, now)
                        for row in sync.created
                    ],
                )
                _insert(
                    ImportedStudent,
                    ("student_id", "source", "imported_at"),
                    [(row[0], f"{self.students_file} (students export)"[:300], now) for row in sync.created],
                )
            quote = connection.ops.quote_name
            _execute_many(
                f"UPDATE {quote(Student._meta.db_table)} SET {quote('email')} = %s WHERE {quote('enrollment_no')} = %s",
                [pair for pair in new_emails if pair[0]],
            )

    def _students_not_ours(self) -> None:
        """Students stored by the site (signed up, ``import_students``), not by the migration: their rows stay
        as they are (an ``ID_TAKEN`` conflict each); their legacy registrations still point at them."""
        for chunk in _chunks(sorted(self.book), QUERY_CHUNK):
            ours = ImportedStudent.objects.filter(pk__in=chunk).values("pk")
            not_ours = Student.objects.filter(pk__in=chunk).exclude(pk__in=ours).order_by("pk")
            for enrollment_no in not_ours.values_list("pk", flat=True):
                self.book.discard(enrollment_no)
                self.report.conflict(
                    "id",
                    code="ID_TAKEN",
                    table="student",
                    id=enrollment_no,
                    message=f"Student {enrollment_no} was not created by the migration; their details are left "
                    "as they are, their legacy registrations are imported.",
                )

    def _emails_resolve(self) -> None:
        """One email, one student: the copy that wins keeps it, the others are left blank and reported."""
        holders: dict[str, list[str]] = defaultdict(list)
        for enr in self.book:
            email = self.book.data(enr).email
            if email:
                holders[email].append(enr)
        for email, enrollment_nos in sorted(holders.items()):
            if len(enrollment_nos) < 2:
                continue
            ordered = sorted(enrollment_nos, key=lambda enr: (self.book.email_rank(enr), enr), reverse=True)
            for loser in ordered[1:]:
                self.book.blank_email(loser)
            self.report.conflict("email", email=email, kept_by=ordered[0], blanked=sorted(ordered[1:]))
        emails = sorted(holders)
        for chunk in _chunks(emails, QUERY_CHUNK):
            taken = (
                Student.objects.alias(email_ci=Lower("email"))
                .filter(email_ci__in=chunk)
                .values_list("enrollment_no", "email")
            )
            for owner, email in taken:
                if owner in self.book:
                    continue
                for enr in holders.get(email.lower(), []):
                    if self.book.data(enr).email:
                        self.book.blank_email(enr)
                        self.report.conflict("email", email=email.lower(), kept_by=owner, blanked=[enr])

    # events

    def _import_decoded(self, decoded: Decoded) -> None:
        where, event_id = decoded.where, decoded.event_id
        if decoded.invalid_json is not None:
            message = decoded.invalid_json
            if decoded.invalid_code == "INVALID_JSON":
                message = f"Not valid JSON: {message}"
            self.report.drop("events", where, event_id, "", decoded.invalid_code, message)
            return
        first_copy = self._events_seen.get(event_id) if event_id else None
        if first_copy is not None:
            self.report.drop("events", where, event_id, "event_id", "DUPLICATE_ID", _duplicate_message(first_copy))
            return
        if decoded.event_problem is not None:
            for problem in decoded.dropped:
                self.report.drop(problem_kind(problem), where, event_id, problem.path, problem.code, problem.message)
            problem = decoded.event_problem
            self.report.drop("events", where, event_id, problem.path, problem.code, problem.message)
            return
        legacy = decoded.legacy
        for problem in legacy.dropped:
            self.report.drop(problem_kind(problem), where, event_id, problem.path, problem.code, problem.message)
        for problem in legacy.warnings:
            self.report.warn(where, event_id, problem)
        try:
            with transaction.atomic():
                imported = self._import_event(legacy, where)
        except DatabaseError as exc:
            raise ImportAborted(f"{where['file']}: event {event_id}: database error: {exc}") from exc
        self._events_seen[event_id] = where
        if not imported:
            return
        self.event_ids.append(event_id)
        self._events_done += 1
        gc.collect(1)

    def _import_event(self, legacy: LegacyEvent, where: dict) -> bool:
        """Write one event and its rows; False when its id belongs to an event the migration did not create."""
        event_id = legacy.event.event_id
        event = self._event_sync(legacy, where)
        if event is None:
            return False
        sessions = self._sessions_sync(event, legacy.sessions)
        self._organizers_sync(event, legacy.organizers, where)
        registrations = self._registrations_checked(legacy, where)
        team_ids = {row.team_id for row in registrations.values() if row.team_id}
        taken = self._team_ids_taken(event_id, team_ids, where)
        for registration_id, row in list(registrations.items()):
            if row.team_id in taken:
                self._registration_drop(
                    where,
                    event_id,
                    registration_id,
                    "ID_TAKEN",
                    f"Its team id {row.team_id!r} already belongs to event {taken[row.team_id]!r}.",
                )
                del registrations[registration_id]
        team_ids -= set(taken)
        for student, registered_at, registration_id in legacy.students:
            if registration_id in registrations:
                self.book.observe(student, (0, registered_at, event_id, registration_id))
        legacy.students.clear()  # the book holds what is kept; a big event's copies go before its rows are written
        self._students_ensure({row.student_id for row in registrations.values()}, _provenance(where, event_id))
        self._teams_sync(event, [team for team in legacy.teams if team.team_id in team_ids], where)
        self._write(
            "registrations",
            Registration,
            (*RegistrationRow._fields, "event_id"),
            (
                (
                    row.registration_id,
                    row.student_id,
                    row.team_id if row.team_id in team_ids else None,
                    row.status,
                    row.checkin_code,
                    row.waitlist_seq,
                    row.registered_at,
                    row.cancelled_at,
                    event_id,
                )
                for row in registrations.values()
            ),
            event_id,
        )
        self._registrations_done += len(registrations)
        self._participation_sync(event, legacy, registrations, sessions, where)
        self._counters_sync(event)
        return True

    def _event_sync(self, legacy: LegacyEvent, where: dict) -> Event | None:
        """The event created or brought to the export's state; None (reported) when the site made it."""
        row = legacy.event
        values = row._asdict()
        del values["event_id"]
        event = Event.objects.select_for_update().filter(pk=row.event_id).first()
        counts = self.report.counts["events"]
        if event is not None and not ImportedEvent.objects.filter(pk=row.event_id).exists():
            self.report.drop(
                "events",
                where,
                row.event_id,
                "event_id",
                "ID_TAKEN",
                f"Event {row.event_id!r} was created in the site, not by the migration: nothing of this legacy "
                "event is imported and the site's event is left as it is.",
            )
            self.report.conflict("id", **where, event_id=row.event_id, id=row.event_id, table="event", code="ID_TAKEN")
            return None
        if event is None:
            event = Event(event_id=row.event_id, **values)
            event.save(force_insert=True)
            ImportedEvent.objects.create(event=event, source=_provenance(where))
            counts["created"] += 1
        elif any(getattr(event, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(event, name, value)
            event.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        return event

    def _sessions_sync(self, event: Event, sessions: list[SessionRow]) -> dict[str, int]:
        stored = {session.code: session for session in EventSession.objects.filter(event=event)}
        for row in sessions:
            current = stored.get(row.code)
            if current is None:
                stored[row.code] = EventSession.objects.create(
                    event=event, code=row.code, title=row.title, position=row.position, starts_at=None
                )
            elif (current.title, current.position) != (row.title, row.position):
                current.title, current.position = row.title, row.position
                current.save(update_fields=["title", "position"])
        return {code: session.pk for code, session in stored.items()}

    def _user_ids(self, usernames: set[str]) -> dict[str, int | None]:
        unknown = [name for name in usernames if name not in self._users]
        if unknown:
            found = dict(User.objects.filter(username__in=unknown).values_list("username", "pk"))
            for name in unknown:
                self._users[name] = found.get(name)
        return {name: self._users[name] for name in usernames}

    def _organizers_sync(self, event: Event, usernames: list[str], where: dict) -> None:
        users = self._user_ids(set(usernames))
        for name in usernames:
            if users[name] is None:
                self.report.conflict(
                    "organizer",
                    **where,
                    event_id=event.pk,
                    username=name,
                    message=f"No login {name!r}; the event is imported without this organizer.",
                )
        wanted = {pk for pk in users.values() if pk is not None}
        linked = set(event.organizers.values_list("pk", flat=True))
        if wanted - linked:
            event.organizers.add(*(wanted - linked))

    def _registrations_checked(self, legacy: LegacyEvent, where: dict) -> dict[str, RegistrationRow]:
        """Leave out registrations whose id belongs to another event, or whose student already holds
        a different active registration in this event."""
        event_id = legacy.event.event_id
        rows = {row.registration_id: row for row in legacy.registrations}
        stored = Registration.objects.filter(event_id=event_id).values_list("registration_id", "student_id", "status")
        active_other: dict[str, str] = {}
        here: set[str] = set()
        for registration_id, student_id, status in stored:
            here.add(registration_id)
            if registration_id not in rows and status in ACTIVE_STATUSES:
                active_other[student_id] = registration_id
        elsewhere = _existing_pks(Registration, [pk for pk in rows if pk not in here])
        checked: dict[str, RegistrationRow] = {}
        for registration_id, row in rows.items():
            if registration_id in elsewhere:
                self._registration_drop(
                    where,
                    event_id,
                    registration_id,
                    "ID_TAKEN",
                    f"Registration id {registration_id!r} already belongs to event {elsewhere[registration_id]!r}.",
                )
                self.report.conflict("id", **where, event_id=event_id, id=registration_id, table="registration")
            elif row.status != "cancelled" and row.student_id in active_other:
                self._registration_drop(
                    where,
                    event_id,
                    registration_id,
                    "ALREADY_REGISTERED",
                    f"{row.student_id} already holds registration {active_other[row.student_id]} in this event.",
                )
            else:
                checked[registration_id] = row
        return checked

    def _registration_drop(self, where: dict, event_id: str, registration_id: str, code: str, message: str) -> None:
        """Report a legacy registration left out, at its place among the event's registrations."""
        self.report.drop("registrations", where, event_id, f"registrations.{registration_id}", code, message)

    def _team_ids_taken(self, event_id: str, team_ids: set[str], where: dict) -> dict[str, str]:
        here = set(Team.objects.filter(event_id=event_id).values_list("team_id", flat=True))
        taken = _existing_pks(Team, sorted(team_ids - here))
        for team_id, other in taken.items():
            self.report.conflict("id", **where, event_id=event_id, id=team_id, table="team", other_event=other)
        return taken

    def _teams_sync(self, event: Event, teams: list[TeamRow], where: dict) -> None:
        names = ("team_id", "name", "leader_id", "status", "created_at", "event_id")
        stored = {row[0]: row for row in Team.objects.filter(event=event).values_list(*names)}
        imported = {team.team_id for team in teams}
        other_names = {
            row[1].lower() for team_id, row in stored.items() if row[3] != "cancelled" and team_id not in imported
        }
        rows = []
        for team in teams:
            name = team.name
            if team.status != "cancelled" and name.lower() in other_names:
                name = f"{team.name} ({team.team_id})"[:100]
                self.report.warn(
                    where,
                    event.pk,
                    Problem(f"registrations.{team.team_id}", "TEAM_NAME_TAKEN", "Renamed: the name is taken."),
                )
            rows.append((team.team_id, name, team.leader_id, team.status, team.created_at, event.pk))
        self._sync("teams", Team, names, rows, stored)

    def _write(self, kind: str, model, names: tuple[str, ...], rows: Iterable[tuple], event_id: str) -> None:
        stored = {row[0]: row for row in model.objects.filter(event_id=event_id).values_list(*names)}
        self._sync(kind, model, names, rows, stored)

    def _sync(self, kind: str, model, names, rows: Iterable[tuple], stored: dict, on_taken=None) -> None:
        """Insert the new rows batch by batch as they come (a big event never has all of them
        built at once), update the changed ones, count the rest. With ``on_taken``, new rows
        whose id or natural key turns out to be taken are skipped and handed to it."""
        counts = self.report.counts[kind]
        fresh: list[tuple] = []
        changed: list[tuple] = []

        def insert(batch: list[tuple]) -> None:
            if not batch:
                return
            if on_taken is None:
                _insert(model, names, batch)
                counts["created"] += len(batch)
                return
            skipped = _insert_unless_taken(model, names, batch, batch[0][-1])  # event_id is the last column
            counts["created"] += len(batch) - len(skipped)
            for row in skipped:
                on_taken(row)

        for row in rows:
            current = stored.get(row[0])
            if current is None:
                fresh.append(row)
                if len(fresh) == INSERT_BATCH:
                    insert(fresh)
                    fresh = []
            elif current != row:
                changed.append(row)
            else:
                counts["unchanged"] += 1
        insert(fresh)
        _update(model, names, changed)
        counts["updated"] += len(changed)

    def _participation_sync(self, event, legacy, registrations, sessions, where) -> None:
        event_id = event.pk
        marked_by = self._user_ids({row.marked_by for row in legacy.attendances if row.marked_by})
        tables = (
            (
                "attendances",
                Attendance,
                (
                    "attendance_id",
                    "student_id",
                    "registration_id",
                    "session_id",
                    "marked_at",
                    "marked_by_id",
                    "event_id",
                ),
                legacy.attendances,
                lambda row: (
                    row.attendance_id,
                    row.student_id,
                    row.registration_id,
                    sessions[row.session_code],
                    row.marked_at,
                    marked_by.get(row.marked_by),
                    event_id,
                ),
                ("session_id", "student_id"),
            ),
            (
                "feedbacks",
                Feedback,
                ("feedback_id", "student_id", "registration_id", "rating", "comments", "submitted_at", "event_id"),
                legacy.feedbacks,
                lambda row: (
                    row.feedback_id,
                    row.student_id,
                    row.registration_id,
                    row.rating,
                    row.comments,
                    row.submitted_at,
                    event_id,
                ),
                ("event_id", "student_id"),
            ),
            (
                "certificates",
                Certificate,
                (
                    "certificate_id",
                    "student_id",
                    "registration_id",
                    "issued_at",
                    "revoked_at",
                    "revoked_reason",
                    "event_id",
                ),
                legacy.certificates,
                lambda row: (
                    row.certificate_id,
                    row.student_id,
                    row.registration_id,
                    row.issued_at,
                    row.revoked_at,
                    row.revoked_reason,
                    event_id,
                ),
                ("event_id", "student_id"),
            ),
        )
        for kind, model, names, records, as_row, natural_key in tables:
            stored = {row[0]: row for row in model.objects.filter(event_id=event_id).values_list(*names)}
            key_positions = [names.index(name) for name in natural_key]
            taken = {tuple(row[i] for i in key_positions): row[0] for row in stored.values()}
            self._sync(
                kind,
                model,
                names,
                self._participation_accepted(
                    kind, records, as_row, registrations, taken, key_positions, where, event_id
                ),
                stored,
                on_taken=lambda row, kind=kind, model=model: self._participation_taken(
                    kind, model, row, where, event_id
                ),
            )

    def _participation_taken(self, kind: str, model, row: tuple, where: dict, event_id: str) -> None:
        """A new row the database refused: its id belongs to another event (or, should the
        checks before the insert have missed it, its natural key is taken here)."""
        owner = model.objects.filter(pk=row[0]).values_list("event_id", flat=True).first()
        if owner is None:
            self.report.drop(
                kind, where, event_id, f"{kind}.{row[0]}", "ALREADY_RECORDED", "Already recorded for this student here."
            )
            return
        self.report.drop(
            kind, where, event_id, f"{kind}.{row[0]}", "ID_TAKEN", f"Id {row[0]!r} already belongs to event {owner!r}."
        )
        self.report.conflict("id", **where, event_id=event_id, id=row[0], table=kind)

    def _participation_accepted(self, kind, records, as_row, registrations, taken, key_positions, where, event_id):
        """The rows that can be stored: their registration taken, their natural key free."""
        for record in records:
            row = as_row(record)
            holder = taken.get(tuple(row[i] for i in key_positions))
            if row[2] not in registrations:
                self._registration_missing(kind, row, event_id, where)
            elif holder is not None and holder != row[0]:
                self.report.drop(
                    kind,
                    where,
                    event_id,
                    f"{kind}.{row[0]}",
                    "ALREADY_RECORDED",
                    f"This student already has {kind[:-1]} {holder!r} here.",
                )
            else:
                yield row

    def _registration_missing(self, kind: str, row: tuple, event_id: str, where: dict) -> None:
        self.report.drop(
            kind,
            where,
            event_id,
            f"{kind}.{row[0]}",
            "REGISTRATION_NOT_TAKEN",
            f"Its registration {row[2]!r} was not taken.",
        )

    def _counters_sync(self, event: Event) -> None:
        """``confirmed_count`` is the real confirmed count; the waitlist counter is past every place given."""
        confirmed = Registration.objects.filter(event=event, status="confirmed").count()
        top = Registration.objects.filter(event=event).aggregate(top=models.Max("waitlist_seq"))["top"] or 0
        counter = max(event.waitlist_counter, top)
        if (event.confirmed_count, event.waitlist_counter) != (confirmed, counter):
            Event.objects.filter(pk=event.pk).update(confirmed_count=confirmed, waitlist_counter=counter)


INTEGRITY_EVENTS_PER_CHECK = 500


def imported_events_integrity(event_ids: list[str]) -> list[dict]:
    """The integrity checks over the imported events: legacy history that breaks today's rules
    shows here as it does for any other data (reported, not failed on)."""
    problems: list[dict] = []
    for chunk in _chunks(sorted(set(event_ids)), INTEGRITY_EVENTS_PER_CHECK):
        problems.extend(
            {"code": p.code, "event_id": p.event_id, "enrollment_no": p.enrollment_no, "message": p.message}
            for p in integrity_problems(chunk)
        )
    return problems
