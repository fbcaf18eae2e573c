"""College-wide participation figures for staff, over a period of event start dates.

Participation counts confirmed registrations at events that start in the period
(drafts and cancelled events left out); a student "attended" an event when they
were checked in to at least one of its sessions. Four aggregate queries whatever
the size of the college: departments, years, events, and the most active students.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from events.models import Event
from events.selectors import count_per_event
from registrations.models import Attendance, Registration, RegistrationStatus, Student

TOP_STUDENTS = 20


def _ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by (no rate rather than 0 %)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the site's time zone: [start 00:00, day after end 00:00)."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )


def period_default(today: date | None = None) -> Period:
    """The last twelve months, today included."""
    today = today or timezone.localdate()
    return Period(start=today - timedelta(days=364), end=today)


@dataclass
class GroupRow:
    """Participation of one department or one year of study."""

    key: str
    students: int
    participants: int
    registrations: int
    attended: int

    @property
    def participation_rate(self) -> float | None:
        return _ratio(self.participants, self.students)

    @property
    def attendance_rate(self) -> float | None:
        return _ratio(self.attended, self.registrations)


@dataclass
class EventRow:
    event_id: str
    title: str
    starts_at: datetime
    registered: int
    attended: int

    @property
    def attendance_rate(self) -> float | None:
        return _ratio(self.attended, self.registered)


@dataclass
class StudentRow:
    enrollment_no: str
    full_name: str
    department: str
    year: int | None
    events_registered: int
    events_attended: int
    sessions_attended: int


@dataclass
class CollegeAnalytics:
    period: Period
    departments: list[GroupRow]
    years: list[GroupRow]
    events: list[EventRow]
    top_students: list[StudentRow]

    @property
    def total_registrations(self) -> int:
        return sum(row.registered for row in self.events)

    @property
    def total_attended(self) -> int:
        return sum(row.attended for row in self.events)

    @property
    def total_participants(self) -> int:
        return sum(row.participants for row in self.departments)

    @property
    def attendance_rate(self) -> float | None:
        return _ratio(self.total_attended, self.total_registrations)


NO_DEPARTMENT = "(none)"
NO_YEAR = "(unknown)"


def _in_period(period: Period, prefix: str = "") -> Q:
    start, end = period.bounds
    return Q(
        **{
            f"{prefix}starts_at__gte": start,
            f"{prefix}starts_at__lt": end,
            f"{prefix}status": Event.Status.PUBLISHED,
        }
    )


def _group_rows(period: Period, field: str) -> list[GroupRow]:
    confirmed = Q(registration__status=RegistrationStatus.CONFIRMED) & _in_period(period, "registration__event__")
    rows = (
        Student.objects.values(field)
        .annotate(
            students=Count("pk", distinct=True),
            participants=Count("pk", filter=confirmed, distinct=True),
            registrations=Count("registration", filter=confirmed, distinct=True),
            attended=Count("registration", filter=confirmed & Q(registration__attendance__isnull=False), distinct=True),
        )
        .order_by(F(field).asc(nulls_last=True))
    )
    return [
        GroupRow(
            key=str(row[field])
            if row[field] not in ("", None)
            else (NO_DEPARTMENT if field == "department" else NO_YEAR),
            students=row["students"],
            participants=row["participants"],
            registrations=row["registrations"],
            attended=row["attended"],
        )
        for row in rows
    ]


def _event_rows(period: Period) -> list[EventRow]:
    events = (
        Event.objects.filter(_in_period(period))
        .annotate(
            # Correlated per-event counts, so that the two do not multiply each other's joined rows.
            registered=count_per_event(Registration.objects.filter(status=RegistrationStatus.CONFIRMED)),
            attended=count_per_event(
                Attendance.objects.filter(registration__status=RegistrationStatus.CONFIRMED), distinct="student"
            ),
        )
        .values_list("event_id", "title", "starts_at", "registered", "attended")
    )
    rows = [EventRow(*values) for values in events]
    return sorted(
        rows,
        key=lambda row: (
            -(row.attendance_rate if row.attendance_rate is not None else -1),
            -row.registered,
            row.event_id,
        ),
    )


def _top_students(period: Period, limit: int) -> list[StudentRow]:
    rows = (
        Registration.objects.filter(Q(status=RegistrationStatus.CONFIRMED) & _in_period(period, "event__"))
        .values("student_id", "student__full_name", "student__department", "student__year")
        .annotate(
            events_registered=Count("event", distinct=True),
            events_attended=Count("event", filter=Q(attendance__isnull=False), distinct=True),
            sessions_attended=Count("attendance", distinct=True),
        )
        .order_by("-events_attended", "-sessions_attended", "-events_registered", "student_id")[:limit]
    )
    return [
        StudentRow(
            enrollment_no=row["student_id"],
            full_name=row["student__full_name"],
            department=row["student__department"],
            year=row["student__year"],
            events_registered=row["events_registered"],
            events_attended=row["events_attended"],
            sessions_attended=row["sessions_attended"],
        )
        for row in rows
    ]


def college_analytics(period: Period, *, top_students: int = TOP_STUDENTS) -> CollegeAnalytics:
    return CollegeAnalytics(
        period=period,
        departments=_group_rows(period, "department"),
        years=_group_rows(period, "year"),
        events=_event_rows(period),
        top_students=_top_students(period, top_students),
    )
