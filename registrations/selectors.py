"""Reads keyed by enrollment number: one student at one event, one student everywhere."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Lower

from events.models import Event, EventSession
from events.selectors import count_per_event, event_user_is_organizer, register_count
from eventsite.errors import NotAuthenticated, NotFound, PermissionDenied
from registrations.models import (
    ACTIVE_STATUSES,
    CURRENT_STATUSES,
    AccessCode,
    Attendance,
    Feedback,
    Notification,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
    Student,
    Team,
)


def student_visible_to(user: User | AnonymousUser | None, enrollment_no: str, *, event: Event | None = None) -> bool:
    """A student's records are seen by the student themself and staff, and, for one event, by its
    organizers while the student has (or had) a registration there: organizing an event is no
    licence to read the contact details of students who never came near it."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    own = getattr(user, "student", None)
    if own is not None and own.enrollment_no == enrollment_no:
        return True
    return (
        event is not None
        and event_user_is_organizer(event, user)
        and Registration.objects.filter(event=event, student_id=enrollment_no).exists()
    )


@dataclass(frozen=True)
class AttendanceMark:
    method: str
    marked_by: str

    @property
    def method_label(self) -> str:
        return Attendance.Method(self.method).label


def attendance_marks(event: Event, enrollment_nos: list[str]) -> dict[tuple[str, int], AttendanceMark]:
    """How and by whom each of these students was checked in, keyed by ``(enrollment_no, session_id)``."""
    rows = Attendance.objects.filter(event=event, student_id__in=enrollment_nos).values_list(
        "student_id", "session_id", "method", "marked_by__username"
    )
    return {(enr, session_id): AttendanceMark(method, by or "") for enr, session_id, method, by in rows}


def access_code_list(*, event: Event, actor: User | AnonymousUser | None) -> list[AccessCode]:
    """The event's access codes with their use counts, newest first: for its organizers only."""
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    if not event_user_is_organizer(event, actor):
        raise PermissionDenied("Only this event's organizers see its access codes.")
    return list(AccessCode.objects.filter(event=event).order_by("-created_at", "-id"))


def team_registrations_of(team: Team) -> dict[str, str]:
    """``{enrollment_no: registration_id}`` of the team's active or waiting members, in registration order."""
    return dict(
        team.registrations.filter(status__in=CURRENT_STATUSES)
        .order_by("registered_at", "registration_id")
        .values_list("student_id", "registration_id")
    )


def student_list(*, q: str | None = None) -> QuerySet[Student]:
    students = Student.objects.all()
    if q:
        q = q.strip()
        students = students.filter(
            Q(enrollment_no__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q) | Q(department__iexact=q)
        )
    return students.order_by("enrollment_no")


def student_email_owner(email: str) -> str | None:
    """The enrollment number of the student who has this email (case-insensitive), if any.

    The "email is not empty" term lets the lookup use the partial unique index on
    lower(email); without it every signup and import row would scan all students.
    """
    if not email:
        return None
    return (
        Student.objects.exclude(email="")
        .alias(email_ci=Lower("email"))
        .filter(email_ci=email.strip().lower())
        .values_list("enrollment_no", flat=True)
        .first()
    )


def registration_current(event: Event, enrollment_no: str) -> Registration | None:
    """The student's active registration (or the one awaiting approval), else their latest cancelled or rejected one."""
    rows = list(
        Registration.objects.select_related("team")
        .filter(event=event, student_id=enrollment_no)
        .order_by("-registered_at")
    )
    active = [row for row in rows if row.status in CURRENT_STATUSES]
    return active[0] if active else (rows[0] if rows else None)


def waitlist_position(registration: Registration) -> int | None:
    """1-based place on the waitlist, counting teams as one entry."""
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlist_seq is None:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED, waitlist_seq__lt=registration.waitlist_seq
    ).aggregate(n=Count("waitlist_seq", distinct=True))["n"]
    return ahead + 1


@dataclass
class EventRecord:
    """What one student did at one event."""

    enrollment_no: str
    event_id: str
    student: Student
    registration: Registration | None
    attendance_ids: list[str] = field(default_factory=list)
    feedback_id: str | None = None
    certificate_id: str | None = None
    attended_session_ids: set[int] = field(default_factory=set)

    @property
    def status(self) -> str | None:
        return self.registration.status if self.registration else None

    @property
    def team_name(self) -> str | None:
        return self.registration.team.name if self.registration and self.registration.team else None

    @property
    def checkin_code(self) -> str | None:
        if self.registration and self.registration.status == RegistrationStatus.CONFIRMED:
            return self.registration.checkin_code
        return None


def student_event_record(student: Student, event: Event) -> EventRecord:
    """One indexed query per kind of record."""
    enr = student.enrollment_no
    attendance = list(
        Attendance.objects.filter(event=event, student_id=enr)
        .order_by("session__position", "session_id", "marked_at")
        .values_list("attendance_id", "session_id")
    )
    return EventRecord(
        enrollment_no=enr,
        event_id=event.pk,
        student=student,
        registration=registration_current(event, enr),
        attendance_ids=[attendance_id for attendance_id, _ in attendance],
        attended_session_ids={session_id for _, session_id in attendance},
        feedback_id=Feedback.objects.filter(event=event, student_id=enr).values_list("feedback_id", flat=True).first(),
        certificate_id=event.certificates.get(enr),
    )


def student_event_record_for(user: User | AnonymousUser | None, enrollment_no: str, event: Event) -> EventRecord:
    """One student at one event, as ``user`` may see it (``student_visible_to``).

    An organizer of the event asking about a student who has no registration there gets
    NOT_FOUND, the same answer as for an enrollment number nobody holds; other users
    PERMISSION_DENIED whether or not the student exists.
    """
    if not student_visible_to(user, enrollment_no, event=event):
        if user is not None and user.is_authenticated and event_user_is_organizer(event, user):
            raise NotFound.of("student", enrollment_no)
        raise PermissionDenied("Only the student themself and this event's organizers can see this.")
    student = Student.objects.filter(pk=enrollment_no).first()
    if student is None:
        raise NotFound.of("student", enrollment_no)
    return student_event_record(student, event)


def attendance_count_for_session(event: Event, session_code: str | None) -> int:
    """How many students are checked in for one session of the event."""
    return Attendance.objects.filter(event=event, session__code=session_code).count()


def student_sessions_by_event(student: Student, event_ids: list[str]) -> dict[str, list[tuple[EventSession, bool]]]:
    """For each event, its sessions in order and whether the student attended each: two queries for all events."""
    attended = set(
        Attendance.objects.filter(student=student, event_id__in=event_ids).values_list("session_id", flat=True)
    )
    found: dict[str, list[tuple[EventSession, bool]]] = {event_id: [] for event_id in event_ids}
    for session in EventSession.objects.filter(event_id__in=event_ids).order_by("event_id", "position", "id"):
        found[session.event_id].append((session, session.pk in attended))
    return found


def feedback_of(student: Student, event: Event) -> Feedback | None:
    return Feedback.objects.filter(event=event, student=student).first()


def student_by_calendar_token(token: str) -> Student | None:
    if not token or len(token) > 64:
        return None
    return Student.objects.filter(calendar_token=token).first()


def student_calendar_entries(student: Student) -> list[tuple[Event, str]]:
    """``(event, registration_status)`` for every active registration of the student, cancelled events included
    (so that subscribed calendars mark them cancelled), drafts and events awaiting approval left out."""
    registrations = (
        Registration.objects.select_related("event")
        .filter(student=student, status__in=ACTIVE_STATUSES)
        .filter(event__status__in=Event.PUBLIC_STATUSES)
        .order_by("event__starts_at", "event_id")
    )
    return [(registration.event, registration.status) for registration in registrations]


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int
    oldest_created_at: datetime | None


def notification_backlog() -> OutboxBacklog:
    """Emails owed and not yet sent (due or waiting for a retry), and when the oldest was owed."""
    figures = Notification.objects.filter(state=Notification.State.PENDING).aggregate(
        pending=Count("pk"), oldest=Min("created_at")
    )
    return OutboxBacklog(pending=figures["pending"], oldest_created_at=figures["oldest"])


def registration_answers(registration: Registration) -> dict[str, object]:
    """The registration's answers, {question code: value}, in the questions' order (one query)."""
    rows = RegistrationAnswer.objects.filter(registration=registration).select_related("question")
    return {row.question.code: row.value for row in rows.order_by("question__position", "question_id")}


def answers_by_registration(registration_ids: list[str]) -> dict[str, dict[str, object]]:
    """{registration_id: {question code: value}} for many registrations, in one query."""
    answers: dict[str, dict[str, object]] = {}
    rows = (
        RegistrationAnswer.objects.filter(registration_id__in=registration_ids)
        .order_by("question__position", "question_id")
        .values_list("registration_id", "question__code", "value")
    )
    for registration_id, code, value in rows:
        answers.setdefault(registration_id, {})[code] = value
    return answers


def register_event_counts() -> None:
    """The counts of an event (API.md) that registrations hold, for ``events.selectors.event_counts_annotate``."""
    waitlisted = Registration.objects.filter(status=RegistrationStatus.WAITLISTED)
    register_count("waitlisted", "waitlisted_count", lambda: count_per_event(waitlisted))
    register_count("teams", "teams_count", lambda: count_per_event(Team.objects.filter(status__in=ACTIVE_STATUSES)))
    register_count("attended", "attended_count", lambda: count_per_event(Attendance.objects.all(), distinct="student"))
    register_count("feedbacks", "feedbacks_count", lambda: count_per_event(Feedback.objects.all()))
