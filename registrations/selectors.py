"""Reads keyed by enrollment number: one student at one event, one student everywhere."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Lower

from events.models import Event, EventQuestion, EventSession
from events.selectors import count_per_event, event_user_is_organizer, register_count
from eventsite.errors import NotAuthenticated, NotFound, PermissionDenied
from registrations import hooks
from registrations.audience import audience_refusal
from registrations.models import (
    ACTIVE_STATUSES,
    CURRENT_STATUSES,
    IN_TEAM_STATES,
    LIVE_TEAM_STATUSES,
    AccessCode,
    Attendance,
    Feedback,
    Notification,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
    Student,
    Team,
    TeamMembership,
    TeamStatus,
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


def registration_audience_refusal(event: Event, student: Student | None) -> str | None:
    """Why this student cannot register for the event, in a sentence shown before they try; None when they can."""
    return audience_refusal(event, student) if student is not None else None


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


# Teams

MEMBER_ORDER = {"leader": 0, "accepted": 1, "pending": 2, "declined": 3}


@dataclass(frozen=True)
class TeamMember:
    enrollment_no: str
    full_name: str
    state: str  # leader, accepted, pending or declined
    registration_status: str | None  # confirmed or waitlisted while the member holds a place


def team_members(team: Team) -> list[TeamMember]:
    """The team's leader, members, open and declined invitations (not those who left), leader first.

    Two queries. Members of a team registered before invitations existed (or imported) have a
    registration and no membership row: they count as accepted.
    """
    registered = dict(team.registrations.filter(status__in=CURRENT_STATUSES).values_list("student_id", "status"))
    rows = {
        enr: (name, state)
        for enr, name, state in team.memberships.exclude(state=TeamMembership.State.LEFT).values_list(
            "student_id", "student__full_name", "state"
        )
    }
    missing = [enr for enr in registered if enr not in rows]
    if missing:
        for enr, name in Student.objects.filter(pk__in=missing).values_list("pk", "full_name"):
            rows[enr] = (name, "leader" if enr == team.leader_id else "accepted")
    members = [
        TeamMember(enr, name, state, registered.get(enr) if state in IN_TEAM_STATES else None)
        for enr, (name, state) in rows.items()
    ]
    return sorted(members, key=lambda member: (MEMBER_ORDER[member.state], member.full_name, member.enrollment_no))


def team_membership_state(team: Team, enrollment_no: str | None) -> str | None:
    """The student's state in the team (leader, accepted, pending ...), or None."""
    if enrollment_no is None:
        return None
    if team.leader_id == enrollment_no:
        return TeamMembership.State.LEADER
    state = team.memberships.filter(student_id=enrollment_no).values_list("state", flat=True).first()
    if state is None and team.registrations.filter(student_id=enrollment_no, status__in=ACTIVE_STATUSES).exists():
        return TeamMembership.State.ACCEPTED
    return state


def team_get_visible(user: User | AnonymousUser | None, team_id: str) -> Team:
    """A team for its leader, members, invited students and the event's organizers; NOT_FOUND for anyone else,
    so that a team's name and members are no one else's to read."""
    team = Team.objects.select_related("event", "leader").filter(pk=team_id).first()
    if team is None or user is None or not user.is_authenticated:
        raise NotFound.of("team", team_id)
    if event_user_is_organizer(team.event, user):
        return team
    own = getattr(user, "student", None)
    state = team_membership_state(team, own.enrollment_no if own else None)
    if state in (*IN_TEAM_STATES, TeamMembership.State.PENDING):
        return team
    raise NotFound.of("team", team_id)


def team_of_student(event: Event, enrollment_no: str) -> Team | None:
    """The live team (forming, confirmed or waitlisted) the student leads or belongs to at this event."""
    member = Q(memberships__student_id=enrollment_no, memberships__state__in=IN_TEAM_STATES) | Q(
        registrations__student_id=enrollment_no, registrations__status__in=ACTIVE_STATUSES
    )
    return (
        Team.objects.select_related("leader")
        .filter(member, event=event, status__in=LIVE_TEAM_STATUSES)
        .distinct()
        .first()
    )


def team_invitations_of(student: Student, event: Event | None = None) -> list[TeamMembership]:
    """The student's open invitations, to teams still live of events not cancelled, newest first."""
    rows = (
        TeamMembership.objects.select_related("team", "team__leader", "team__event")
        .filter(student=student, state=TeamMembership.State.PENDING, team__status__in=LIVE_TEAM_STATUSES)
        .exclude(team__event__status=Event.Status.CANCELLED)
        .order_by("-invited_at", "-id")
    )
    if event is not None:
        rows = rows.filter(event=event)
    return list(rows)


def team_panel(event: Event, student: Student) -> dict:
    """What the event page shows a student of a team event: their team (members and states), whether they
    lead it, and the invitations of this event still open to them."""
    team = team_of_student(event, student.enrollment_no)
    members = team_members(team) if team else []
    in_team = sum(1 for member in members if member.state in IN_TEAM_STATES)
    return {
        "team": team,
        "members": members,
        "is_leader": team is not None and team.leader_id == student.enrollment_no,
        "in_team": in_team,
        "missing": max(event.team_size_min - in_team, 0),
        "accepted": [m for m in members if m.state == TeamMembership.State.ACCEPTED],
        "invitations": [] if team else team_invitations_of(student, event),
    }


def register_event_counts() -> None:
    """The counts of an event (API.md) that registrations hold, for ``events.selectors.event_counts_annotate``."""
    waitlisted = Registration.objects.filter(status=RegistrationStatus.WAITLISTED)
    register_count("waitlisted", "waitlisted_count", lambda: count_per_event(waitlisted))
    register_count("teams", "teams_count", lambda: count_per_event(Team.objects.filter(status__in=ACTIVE_STATUSES)))
    register_count("attended", "attended_count", lambda: count_per_event(Attendance.objects.all(), distinct="student"))
    register_count("feedbacks", "feedbacks_count", lambda: count_per_event(Feedback.objects.all()))


# The organizer's roster: one page of registrations with everything an organizer acts on.

ROSTER_HIDDEN_BY_DEFAULT = (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)


@dataclass(frozen=True)
class RosterRow:
    registration: Registration
    checkins: dict[str, AttendanceMark]  # by session code, in session order
    answers: dict[str, object]
    feedback_id: str | None
    certificate_ids: list[str]
    group_size: int = 1  # the students decided with this one: its team's members in the same status

    @property
    def student(self) -> Student:
        return self.registration.student

    @property
    def attended_sessions(self) -> list[str]:
        return list(self.checkins)

    @property
    def team_name(self) -> str | None:
        team = self.registration.team
        return team.name if team else None


def roster_registrations(
    *,
    event: Event,
    actor: User | AnonymousUser | None,
    q: str | None = None,
    status: str | None = None,
    session: EventSession | None = None,
) -> QuerySet[Registration]:
    """The event's registrations for its organizers, in enrollment order, with student and team.

    Without ``status``: every registration but the cancelled and rejected ones. ``q`` searches the
    enrollment number, the name and the team; ``session`` keeps those checked in to it.
    """
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    if not event_user_is_organizer(event, actor):
        raise PermissionDenied("Only this event's organizers can see its roster.")
    registrations = Registration.objects.filter(event=event).select_related("student", "team")
    if status:
        registrations = registrations.filter(status=status)
    else:
        registrations = registrations.exclude(status__in=ROSTER_HIDDEN_BY_DEFAULT)
    if q and q.strip():
        q = q.strip()
        registrations = registrations.filter(
            Q(student__enrollment_no__icontains=q) | Q(student__full_name__icontains=q) | Q(team__name__icontains=q)
        )
    if session is not None:
        # One subquery read once through the session's index, not one probe per registration.
        registrations = registrations.filter(
            pk__in=Attendance.objects.filter(session=session).values("registration_id")
        )
    return registrations.order_by("student_id", "registered_at", "registration_id")


def roster_rows_of(event: Event, registrations: list[Registration]) -> list[RosterRow]:
    """Each registration with its attended session codes, answers, feedback and valid certificates.

    Four queries whatever the number of registrations (attendance, answers, feedback, and the
    certificates through ``hooks.ROSTER_CERTIFICATE_IDS``), and one more when some are in teams.
    """
    registration_ids = [registration.pk for registration in registrations]
    enrollment_nos = [registration.student_id for registration in registrations]
    checkins: dict[str, dict[str, AttendanceMark]] = {}
    rows = (
        Attendance.objects.filter(registration_id__in=registration_ids)
        .order_by("session__position", "session_id")
        .values_list("registration_id", "session__code", "method", "marked_by__username")
    )
    for registration_id, code, method, by in rows:
        checkins.setdefault(registration_id, {})[code] = AttendanceMark(method, by or "")
    answers = answers_by_registration(registration_ids)
    feedbacks = dict(
        Feedback.objects.filter(event=event, student_id__in=enrollment_nos).values_list("student_id", "feedback_id")
    )
    certificates: dict[str, list[str]] = {}
    for held in hooks.ROSTER_CERTIFICATE_IDS:
        for enrollment_no, ids_held in held(event=event, enrollment_nos=enrollment_nos).items():
            certificates.setdefault(enrollment_no, []).extend(ids_held)
    team_ids = {registration.team_id for registration in registrations if registration.team_id}
    together = (
        {
            (team_id, status): n
            for team_id, status, n in Registration.objects.filter(team_id__in=team_ids)
            .values_list("team_id", "status")
            .annotate(n=Count("pk"))
            .order_by()
        }
        if team_ids
        else {}
    )
    # A cancelled registration's answers and check-ins are its own; feedback and certificates belong
    # to the student's current place at the event.
    return [
        RosterRow(
            registration=registration,
            checkins=checkins.get(registration.pk, {}),
            answers=answers.get(registration.pk, {}),
            feedback_id=feedbacks.get(registration.student_id) if registration.is_active else None,
            certificate_ids=certificates.get(registration.student_id, []) if registration.is_active else [],
            group_size=together.get((registration.team_id, registration.status), 1),
        )
        for registration in registrations
    ]


def registration_status_counts(event: Event) -> dict[str, int]:
    """How many of the event's registrations are in each status (one query)."""
    return dict(Registration.objects.filter(event=event).values_list("status").annotate(n=Count("pk")).order_by())


def roster_questions(event: Event) -> list[EventQuestion]:
    """The questions whose answers the roster shows: those asked now, then archived ones that were answered."""
    return list(
        EventQuestion.objects.filter(event=event)
        .filter(Q(archived=False) | Q(answers__isnull=False))
        .distinct()
        .order_by("archived", "position", "id")
    )


@dataclass
class FormingTeam:
    team: Team
    members: list[TeamMember] = field(default_factory=list)


def event_teams_forming(event: Event) -> list[FormingTeam]:
    """The event's teams still forming (no seats yet), each with its leader, members and open
    invitations, for its organizers; one query."""
    rows = (
        TeamMembership.objects.filter(event=event, team__status=TeamStatus.FORMING)
        .exclude(state=TeamMembership.State.LEFT)
        .select_related("team", "student")
        .order_by("team__created_at", "team_id", "id")
    )
    teams: dict[str, FormingTeam] = {}
    for row in rows:
        entry = teams.setdefault(row.team_id, FormingTeam(row.team))
        entry.members.append(TeamMember(row.student_id, row.student.full_name, row.state, None))
    for entry in teams.values():
        entry.members.sort(key=lambda member: (MEMBER_ORDER[member.state], member.full_name))
    return list(teams.values())


def student_teams_forming(student: Student) -> list[Team]:
    """The forming teams the student leads or has joined, of events not cancelled: no seat yet, nothing
    on their registrations, so the events page names them apart."""
    return list(
        Team.objects.select_related("event", "leader")
        .filter(
            status=TeamStatus.FORMING,
            memberships__student=student,
            memberships__state__in=IN_TEAM_STATES,
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .order_by("event__starts_at", "team_id")
    )
