"""Consistency checks over the stored rows, shared by ``check_integrity`` and the legacy importer.

Each check is one aggregate query (however many rows an event has) and returns the
problems it found; an empty list means the data holds the rule. The services keep
these rules by construction; the checks catch data written around them (imports,
manual fixes in a database shell) and bugs.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value

from events.models import Event
from registrations.models import (
    ACTIVE_STATUSES,
    CURRENT_STATUSES,
    IN_TEAM_STATES,
    Attendance,
    Feedback,
    Registration,
    RegistrationStatus,
    Team,
    TeamMembership,
    TeamStatus,
)


@dataclass(frozen=True)
class Problem:
    code: str
    event_id: str
    enrollment_no: str | None
    message: str

    def __str__(self) -> str:
        who = f" {self.enrollment_no}" if self.enrollment_no else ""
        return f"[{self.code}] {self.event_id}{who}: {self.message}"


def scoped(rows: QuerySet, event_ids: list[str] | None, field: str = "event_id") -> QuerySet:
    return rows if event_ids is None else rows.filter(**{f"{field}__in": event_ids})


def _confirmed_counts(event_ids: list[str] | None) -> QuerySet:
    return scoped(Event.objects.all(), event_ids, "pk").annotate(
        real_confirmed=Count("registration", filter=Q(registration__status=RegistrationStatus.CONFIRMED))
    )


def check_capacity(event_ids: list[str] | None = None) -> list[Problem]:
    """Confirmed students never exceed the event's capacity."""
    over = _confirmed_counts(event_ids).filter(capacity__isnull=False, real_confirmed__gt=F("capacity"))
    return [
        Problem(
            "CAPACITY_EXCEEDED",
            event.pk,
            None,
            f"{event.real_confirmed} confirmed students for a capacity of {event.capacity}.",
        )
        for event in over.only("pk", "capacity")
    ]


def check_confirmed_counter(event_ids: list[str] | None = None) -> list[Problem]:
    """The event's ``confirmed_count`` (used for the capacity check) equals the real count."""
    wrong = _confirmed_counts(event_ids).exclude(confirmed_count=F("real_confirmed"))
    return [
        Problem(
            "CONFIRMED_COUNT_MISMATCH",
            event.pk,
            None,
            f"The event's counter says {event.confirmed_count} confirmed, the rows say {event.real_confirmed}.",
        )
        for event in wrong.only("pk", "confirmed_count")
    ]


def check_waitlist(event_ids: list[str] | None = None) -> list[Problem]:
    """Nobody waits for a seat that is free: a waitlisted entry that fits would have been promoted.

    A waitlisted team larger than the free seats is fine (it keeps its place until it fits).
    """
    free_seats = F("event__capacity") - F("event__confirmed_count")
    fits = Q(event__capacity__isnull=True) | Q(size__lte=free_seats)
    waiting_individuals = (
        scoped(Registration.objects.filter(status=RegistrationStatus.WAITLISTED, team__isnull=True), event_ids)
        .annotate(size=Value(1))
        .filter(fits)
        .values_list("event_id", "student_id")
    )
    waiting_teams = (
        scoped(Team.objects.filter(status=RegistrationStatus.WAITLISTED), event_ids)
        .annotate(size=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)))
        .filter(fits)
        .values_list("event_id", "leader_id")
    )
    return [
        Problem("WAITLIST_NOT_PROMOTED", event_id, enrollment_no, "Waitlisted although the free seats would fit.")
        for rows in (waiting_individuals, waiting_teams)
        for event_id, enrollment_no in rows.order_by("event_id", "pk")
    ]


def check_one_active_registration(event_ids: list[str] | None = None) -> list[Problem]:
    """A student holds at most one active registration (or one awaiting approval) per event."""
    duplicates = (
        scoped(Registration.objects.filter(status__in=CURRENT_STATUSES), event_ids)
        .values("event_id", "student_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("event_id", "student_id")
    )
    return [
        Problem("DUPLICATE_REGISTRATION", row["event_id"], row["student_id"], f"{row['n']} active registrations.")
        for row in duplicates
    ]


def check_teams(event_ids: list[str] | None = None) -> list[Problem]:
    """Active teams have an allowed size, and every member's registration has the team's status and event."""
    problems = []
    sized = (
        scoped(Team.objects.filter(status__in=ACTIVE_STATUSES), event_ids)
        .annotate(size=Count("registrations", filter=Q(registrations__status__in=ACTIVE_STATUSES)))
        .filter(Q(size__lt=F("event__team_size_min")) | Q(size__gt=F("event__team_size_max")))
        .values("event_id", "leader_id", "name", "size", "event__team_size_min", "event__team_size_max")
        .order_by("event_id", "name")
    )
    for team in sized:
        problems.append(
            Problem(
                "TEAM_SIZE",
                team["event_id"],
                team["leader_id"],
                f"Team {team['name']!r} has {team['size']} active members; the event allows "
                f"{team['event__team_size_min']} to {team['event__team_size_max']}.",
            )
        )
    # A member who left a team keeps a cancelled registration of it: only active ones must match.
    mismatched = (
        scoped(Registration.objects.filter(team__isnull=False), event_ids)
        .filter((Q(status__in=CURRENT_STATUSES) & ~Q(status=F("team__status"))) | ~Q(event_id=F("team__event_id")))
        .values("event_id", "student_id", "status", "team__name", "team__status", "team__event_id")
        .order_by("event_id", "student_id")
    )
    for row in mismatched:
        code = "TEAM_STATUS_MISMATCH"
        if row["event_id"] != row["team__event_id"]:
            message = f"The registration belongs to team {row['team__name']!r} of event {row['team__event_id']!r}."
        elif row["team__status"] == TeamStatus.FORMING:
            code = "FORMING_TEAM_HOLDS_SEAT"
            message = f"A {row['status']} registration in team {row['team__name']!r}, which is still forming."
        else:
            message = f"The registration is {row['status']} but team {row['team__name']!r} is {row['team__status']}."
        problems.append(Problem(code, row["event_id"], row["student_id"], message))
    return problems


def check_team_members(event_ids: list[str] | None = None) -> list[Problem]:
    """Nobody's place is lost: the leader and accepted members of a team holding seats each hold an
    active registration of it, nobody else does, and a forming team is below its minimum (at the
    minimum it takes its seats)."""
    holds_place = Registration.objects.filter(
        team_id=OuterRef("team_id"), student_id=OuterRef("student_id"), status__in=CURRENT_STATUSES
    )
    without_place = (
        scoped(TeamMembership.objects.filter(state__in=IN_TEAM_STATES), event_ids)
        .filter(team__status__in=CURRENT_STATUSES)
        .filter(~Exists(holds_place))
        .values_list("event_id", "student_id", "team__name", "team__status")
        .order_by("event_id", "student_id")
    )
    not_in_team = TeamMembership.objects.filter(team_id=OuterRef("team_id"), student_id=OuterRef("student_id")).exclude(
        state__in=IN_TEAM_STATES
    )
    place_without_member = (
        scoped(Registration.objects.filter(team__isnull=False, status__in=CURRENT_STATUSES), event_ids)
        .filter(Exists(not_in_team))
        .values_list("event_id", "student_id", "team__name")
        .order_by("event_id", "student_id")
    )
    complete_forming = (
        scoped(Team.objects.filter(status=TeamStatus.FORMING), event_ids)
        .annotate(size=Count("memberships", filter=Q(memberships__state__in=IN_TEAM_STATES)))
        .filter(size__gte=F("event__team_size_min"))
        .values_list("event_id", "leader_id", "name", "size")
        .order_by("event_id", "name")
    )
    elsewhere = (
        scoped(TeamMembership.objects.all(), event_ids)
        .exclude(event_id=F("team__event_id"))
        .values_list("event_id", "student_id", "team__name")
        .order_by("event_id", "student_id")
    )
    return [
        *(
            Problem("TEAM_MEMBER_WITHOUT_PLACE", event_id, enr, f"In {status} team {name!r} without a registration.")
            for event_id, enr, name, status in without_place
        ),
        *(
            Problem("TEAM_PLACE_WITHOUT_MEMBER", event_id, enr, f"Holds a place in team {name!r} but is not in it.")
            for event_id, enr, name in place_without_member
        ),
        *(
            Problem(
                "FORMING_TEAM_COMPLETE",
                event_id,
                leader,
                f"Team {name!r} has {size} members, enough to take its seats, but is still forming.",
            )
            for event_id, leader, name, size in complete_forming
        ),
        *(
            Problem("TEAM_MEMBERSHIP_EVENT", event_id, enr, f"A membership of team {name!r} of another event.")
            for event_id, enr, name in elsewhere
        ),
    ]


# Registrations that never held a seat, so never let anyone in at the door.
NEVER_SEATED = (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING, RegistrationStatus.REJECTED)


def check_attendance(event_ids: list[str] | None = None) -> list[Problem]:
    """Attendance belongs to a confirmed registration of the same event and student, and a session of that event.

    A registration cancelled after the student was checked in keeps its attendance: that is history.
    """
    wrong = (
        scoped(Attendance.objects.all(), event_ids)
        .filter(
            Q(registration__status__in=NEVER_SEATED)
            | Q(registration__status=RegistrationStatus.CANCELLED, registration__cancelled_at__isnull=True)
            | Q(registration__status=RegistrationStatus.CANCELLED, registration__cancelled_at__lt=F("marked_at"))
            | ~Q(event_id=F("registration__event_id"))
            | ~Q(student_id=F("registration__student_id"))
            | ~Q(event_id=F("session__event_id"))
        )
        .values(
            "attendance_id",
            "event_id",
            "student_id",
            "registration__status",
            "registration__event_id",
            "registration__student_id",
            "session__event_id",
        )
        .order_by("event_id", "student_id", "attendance_id")
    )
    problems = []
    for row in wrong:
        if row["event_id"] != row["registration__event_id"] or row["student_id"] != row["registration__student_id"]:
            message = (
                f"Attendance {row['attendance_id']} points at the registration of "
                f"{row['registration__student_id']} at {row['registration__event_id']}."
            )
        elif row["event_id"] != row["session__event_id"]:
            message = f"Attendance {row['attendance_id']} is for a session of {row['session__event_id']}."
        else:
            message = f"Attendance {row['attendance_id']} for a {row['registration__status']} registration."
        problems.append(Problem("ATTENDANCE_NOT_CONFIRMED", row["event_id"], row["student_id"], message))
    return problems


def check_feedback(event_ids: list[str] | None = None) -> list[Problem]:
    """Feedback comes only from a student who attended the event."""
    attended = Attendance.objects.filter(event_id=OuterRef("event_id"), student_id=OuterRef("student_id"))
    without = (
        scoped(Feedback.objects.all(), event_ids)
        .filter(~Exists(attended))
        .values("feedback_id", "event_id", "student_id")
        .order_by("event_id", "student_id")
    )
    return [
        Problem(
            "FEEDBACK_WITHOUT_ATTENDANCE",
            row["event_id"],
            row["student_id"],
            f"Feedback {row['feedback_id']} from a student with no attendance.",
        )
        for row in without
    ]


def check_checkin_codes(event_ids: list[str] | None = None) -> list[Problem]:
    """A registration has a check-in code exactly when it is confirmed."""
    wrong = (
        scoped(Registration.objects.all(), event_ids)
        .filter(
            Q(status=RegistrationStatus.CONFIRMED, checkin_code__isnull=True)
            | Q(status=RegistrationStatus.CONFIRMED, checkin_code="")
            | (~Q(status=RegistrationStatus.CONFIRMED) & Q(checkin_code__isnull=False) & ~Q(checkin_code=""))
        )
        .values("event_id", "student_id", "status", "checkin_code")
        .order_by("event_id", "student_id")
    )
    return [
        Problem(
            "CHECKIN_CODE_MISMATCH",
            row["event_id"],
            row["student_id"],
            (
                "A confirmed registration without a check-in code."
                if row["status"] == RegistrationStatus.CONFIRMED
                else f"A {row['status']} registration with a check-in code."
            ),
        )
        for row in wrong
    ]


# The checks of this app; the apps above add theirs with ``register_check`` from their ``AppConfig.ready()``.
CHECKS: list[Callable[[list[str] | None], list[Problem]]] = [
    check_capacity,
    check_confirmed_counter,
    check_waitlist,
    check_one_active_registration,
    check_teams,
    check_team_members,
    check_attendance,
    check_feedback,
    check_checkin_codes,
]


def register_check(check: Callable[[list[str] | None], list[Problem]]) -> None:
    if check not in CHECKS:
        CHECKS.append(check)


def integrity_problems(event_ids: Iterable[str] | None = None) -> list[Problem]:
    """Every problem in the given events (all events when None), check by check."""
    scope = None if event_ids is None else list(event_ids)
    return [problem for check in CHECKS for problem in check(scope)]
