"""The event roster as rows: one dict per active registration, for CSV, XLSX or a page.

``roster_rows`` streams: it opens one cursor per kind of record (registrations with
their student and team, attendance, feedback, certificates), each ordered by enrollment
number, and merges them as it goes. The number of queries is fixed (five) whatever the
event's size, and memory holds one chunk per cursor, so a 20,000-row export never
sits in memory whole.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import Collate

from certificates.models import Certificate
from events.models import Event, EventSession
from registrations.models import ACTIVE_STATUSES, Attendance, Feedback, Registration

CHUNK_SIZE = 2000
FIXED_COLUMNS = ("enrollment_no", "full_name", "department", "year", "team", "status")
TRAILING_COLUMNS = ("feedback_rating", "certificate_id")


def session_column(code: str) -> str:
    return f"attended_{code}"


def roster_columns(sessions: Iterable[EventSession]) -> list[str]:
    """The keys of every row, in display order: one attendance column per session code."""
    return [*FIXED_COLUMNS, *(session_column(session.code) for session in sessions), *TRAILING_COLUMNS]


def _by_enrollment_no(field: str = "student_id"):
    """Order by enrollment number (``field``) in code-point order, the order Python compares strings in,
    whatever the database's default collation."""
    if connection.vendor == "postgresql":
        return Collate(F(field), "C")
    return F(field)


class _Cursor:
    """A stream of ``(enrollment_no, value)`` sorted by enrollment number, read one key at a time."""

    def __init__(self, rows: Iterator[tuple[str, Any]]):
        self._rows = rows
        self._next = next(rows, None)

    def take(self, enrollment_no: str) -> list[Any]:
        found = []
        while self._next is not None and self._next[0] <= enrollment_no:
            if self._next[0] == enrollment_no:
                found.append(self._next[1])
            self._next = next(self._rows, None)
        return found


def roster_rows(
    event: Event, *, sessions: list[EventSession] | None = None, enrollment_nos: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the roster of ``event``; ``enrollment_nos`` limits it (a page of a search).

    Every row has the keys of ``roster_columns(sessions)``: attendance columns are
    booleans, ``year`` and ``feedback_rating`` integers or None, the rest strings.
    """
    if sessions is None:
        sessions = list(event.sessions.order_by("position", "id"))
    session_codes = {session.pk: session.code for session in sessions}

    def limited(queryset: QuerySet) -> QuerySet:
        return queryset if enrollment_nos is None else queryset.filter(student_id__in=enrollment_nos)

    registrations = (
        limited(Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES))
        .order_by(_by_enrollment_no())
        .values_list("student_id", "student__full_name", "student__department", "student__year", "team__name", "status")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    attended = _Cursor(
        limited(Attendance.objects.filter(event=event))
        .order_by(_by_enrollment_no())
        .values_list("student_id", "session_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    ratings = _Cursor(
        limited(Feedback.objects.filter(event=event))
        .order_by(_by_enrollment_no())
        .values_list("student_id", "rating")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    certificates = _Cursor(
        limited(Certificate.objects.filter(event=event, revoked_at__isnull=True, kind=Certificate.Kind.PARTICIPATION))
        .order_by(_by_enrollment_no())
        .values_list("student_id", "certificate_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for enrollment_no, full_name, department, year, team, status in registrations:
        present = {session_codes.get(session_id) for session_id in attended.take(enrollment_no)}
        rating = ratings.take(enrollment_no)
        certificate = certificates.take(enrollment_no)
        row: dict[str, Any] = {
            "enrollment_no": enrollment_no,
            "full_name": full_name,
            "department": department,
            "year": year,
            "team": team or "",
            "status": status,
        }
        for session in sessions:
            row[session_column(session.code)] = session.code in present
        row["feedback_rating"] = rating[0] if rating else None
        row["certificate_id"] = certificate[0] if certificate else ""
        yield row
