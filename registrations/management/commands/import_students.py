"""Create or update students from a CSV file, reporting every bad row by its line number."""

import csv
import io
from collections.abc import Iterator
from contextlib import nullcontext
from itertools import islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from eventsite.errors import DomainError, ValidationFailed
from registrations.models import Student
from registrations.services import enrollment_no_normalize, student_upsert

COLUMNS = ("enrollment_no", "full_name", "email", "department", "year", "phone")
REQUIRED_COLUMNS = ("enrollment_no", "full_name")
MAX_FILE_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 500
# A field larger than any column needs is a broken file, not a student.
MAX_FIELD_CHARS = 10_000


class BadRow(Exception):
    pass


class _Lines:
    """The file's lines for ``csv.reader``, with a position that can be moved back after a broken record."""

    def __init__(self, text: str):
        self.lines = io.StringIO(text, newline="").readlines()  # split as the file object would
        self.position = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def _reason(error: DomainError) -> str:
    """A validation error's field messages ("email: Enter a valid email address."), else the error's message."""
    if not isinstance(error, ValidationFailed):
        return error.message
    parts = [
        f"{name}: {message}"
        for name, messages in error.details.items()
        if isinstance(messages, list)
        for message in messages
        if isinstance(message, str)
    ]
    return "; ".join(parts) or error.message


def _year(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRow(f"year: {raw!r} is not a whole number from 1 to 6.") from None


def _ensure_same_as_earlier(enrollment_no: str, earlier: tuple[int, tuple] | None, now: tuple) -> None:
    if earlier is not None and earlier[1] != now:
        raise BadRow(f"{enrollment_no} is already on line {earlier[0]} with other details.")


def _snapshot(student: Student | None) -> tuple | None:
    return None if student is None else tuple(getattr(student, name) for name in COLUMNS)


class Command(BaseCommand):
    help = (
        "Create or update students from a CSV file with the header "
        "enrollment_no,full_name,email,department,year,phone (UTF-8, a BOM is fine). "
        "Bad rows are reported with their line number and skipped; the command fails if there were any."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", help="Path of the CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, but write nothing.")

    def handle(self, *args, csv_file: str, dry_run: bool, **options):
        path = Path(csv_file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CommandError(
                f"{path}: {size / 1024 / 1024:.1f} MB is more than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit; "
                "split the file."
            )
        counts = {"created": 0, "updated": 0, "unchanged": 0, "bad": 0}
        try:
            lines = _Lines(path.read_text(encoding="utf-8-sig"))
            with transaction.atomic():
                self._import(lines, counts)
                if dry_run:
                    transaction.set_rollback(True)
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path}: not UTF-8 text (byte {error.start}); nothing was imported. Save the file as UTF-8 CSV."
            ) from None
        except csv.Error as error:
            raise CommandError(f"{path}: not a readable CSV file ({error}); nothing was imported.") from None
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(("Dry run, nothing written: " if dry_run else "") + summary + ".")
        if counts["bad"]:
            others = "checked" if dry_run else "imported"
            raise CommandError(f"{counts['bad']} bad row(s); the other rows were {others}.")

    def _header(self, lines: _Lines) -> dict[str, int]:
        header = next(csv.reader(lines), None)
        if not header or not any(cell.strip() for cell in header):
            raise CommandError(f"The file is empty; the first line must be the header {','.join(COLUMNS)}.")
        names = [cell.strip().lower() for cell in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            raise CommandError(
                f"Line 1 must be the header {','.join(COLUMNS)}; missing column(s): {', '.join(missing)}."
            )
        duplicated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
        if duplicated:
            raise CommandError(f"Line 1 names column(s) twice: {', '.join(duplicated)}.")
        extra = [cell for cell, name in zip(header, names, strict=True) if name not in COLUMNS]
        if extra:
            self.stderr.write(self.style.WARNING(f"Ignoring unknown column(s): {', '.join(extra)}."))
        return {name: position for position, name in enumerate(names) if name in COLUMNS}

    def _records(self, lines: _Lines) -> Iterator[tuple[int, list[str] | BadRow]]:
        """``(line, cells)`` of each non-blank record, ``line`` being where the record starts.

        Strict: a quote left open (or text after a closing quote) makes that record a bad
        row instead of swallowing the lines after it into one mangled value; reading goes
        on at the line after the one where the broken record starts."""
        reader = csv.reader(lines, strict=True)
        while True:
            start = lines.position
            try:
                cells = next(reader, None)
            except csv.Error as error:
                lines.position = start + 1
                yield start + 1, BadRow(f"a quote is not closed or is followed by text ({error}).")
                continue
            if cells is None:
                return
            if any(cell.strip() for cell in cells):
                yield start + 1, cells

    def _import(self, lines: _Lines, counts: dict[str, int]) -> None:
        positions = self._header(lines)
        seen: dict[str, tuple[int, tuple]] = {}
        records = self._records(lines)
        while chunk := list(islice(records, CHUNK_ROWS)):
            stored = self._stored(
                [(line, cells) for line, cells in chunk if isinstance(cells, list)], positions["enrollment_no"]
            )
            for line, cells in chunk:
                try:
                    if isinstance(cells, BadRow):
                        raise cells
                    values = self._row_values(cells, positions)
                    outcome = self._upsert(values, line, seen, stored)
                except BadRow as error:
                    counts["bad"] += 1
                    self.stderr.write(f"line {line}: {error}")
                except DomainError as error:
                    counts["bad"] += 1
                    self.stderr.write(f"line {line}: {_reason(error)}")
                else:
                    counts[outcome] += 1

    def _stored(self, chunk: list[tuple[int, list[str]]], position: int) -> dict[str, Student]:
        """The chunk's students as stored now, in one query."""
        wanted = {cells[position].strip().upper() for _, cells in chunk if position < len(cells)}
        return {student.pk: student for student in Student.objects.filter(pk__in=wanted)}

    def _row_values(self, cells: list[str], positions: dict[str, int]) -> dict:
        if any(len(cell) > MAX_FIELD_CHARS for cell in cells):
            raise BadRow(f"a value is longer than {MAX_FIELD_CHARS} characters.")
        if any("\x00" in cell for cell in cells):
            raise BadRow("a value holds a NUL byte (\\x00), which is not text.")
        values = {name: cells[position] if position < len(cells) else "" for name, position in positions.items()}
        values = {name: values.get(name, "") for name in COLUMNS}
        values["year"] = _year(values["year"])
        return values

    def _upsert(self, values: dict, line: int, seen: dict[str, tuple[int, tuple]], stored: dict[str, Student]) -> str:
        enrollment_no = enrollment_no_normalize(values["enrollment_no"])
        before = _snapshot(stored.get(enrollment_no))
        earlier = seen.get(enrollment_no)
        if before is not None and before == tuple({**values, "enrollment_no": enrollment_no}[name] for name in COLUMNS):
            # Exactly what is stored (values the service already accepted): nothing to write.
            after, created = before, False
            _ensure_same_as_earlier(enrollment_no, earlier, after)
        else:
            # A repeated enrollment number gets a savepoint: a row that contradicts its earlier line is undone.
            with transaction.atomic() if earlier is not None else nullcontext():
                student, created = student_upsert(**{**values, "enrollment_no": enrollment_no})
                after = _snapshot(student)
                _ensure_same_as_earlier(enrollment_no, earlier, after)
            stored[enrollment_no] = student
        seen.setdefault(enrollment_no, (line, after))
        if created:
            return "created"
        return "unchanged" if before == after else "updated"
