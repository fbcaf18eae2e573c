"""Teams as students form them: invitations with consent, join codes, leaving, leaders.

A student creates a team (``forming``: it holds no seats) and invites members or shares its
join code. When the leader and the accepted members reach the event's ``team_size_min``, the
team takes its seats in one step through the same seat claim as every registration
(``services._seats_claim``): confirmed if all fit, otherwise waitlisted whole. Members who join
later get a place of the team's kind (a confirmed team needs a free seat for each), up to
``team_size_max``. A team that falls below its minimum goes back to ``forming`` and its seats go
to the waitlist (``services.waitlist_promote``).

Every function here is one transaction under the event's row lock (``services.event_lock``),
the lock every registration takes: two teams completing for the last seat, or one student
accepting two invitations at once, are decided one after the other. The unique constraints on
teams and memberships are the last line. After registration closes a team only can be
cancelled (``TEAM_LOCKED``).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Event, EventQuestion
from events.selectors import event_user_is_organizer
from eventsite import ids
from eventsite.errors import (
    AlreadyRegistered,
    EventCancelled,
    EventFull,
    InvitationNotFound,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TeamLocked,
    TeamNameTaken,
    TeamSize,
    ValidationFailed,
)
from registrations import notifications
from registrations.audience import ensure_in_audience
from registrations.models import (
    ACTIVE_STATUSES,
    IN_TEAM_STATES,
    LIVE_TEAM_STATUSES,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
    Student,
    Team,
    TeamMembership,
    TeamStatus,
)
from registrations.services import (
    Actor,
    CancelResult,
    _access_code_take,
    _actor_enrollment_no,
    _answers_save,
    _approval_request,
    _ensure_mode,
    _ensure_registration_open,
    _new_registration,
    _registration_notify,
    _seats_claim,
    _team_name_clean,
    _team_name_taken,
    enrollment_no_normalize,
    ensure_organizer,
    event_lock,
    registration_answers_clean,
    registration_cancel,
    students_in_event,
    team_memberships_end,
    team_register,
    waitlist_promote,
)

State = TeamMembership.State
JOIN_CODE_LENGTH = 8  # 40 bits: shared between friends, tried only by logged-in students


# Who acts


def _acting_student(actor: Actor, enrollment_no: str | None = None) -> str:
    """The enrollment number a student acts as: their own. Consent is personal: nobody accepts,
    declines or joins for someone else. ``actor`` None (commands, tests) acts as ``enrollment_no``."""
    if actor is None:
        if not enrollment_no:
            raise ValidationFailed.for_field("enrollment_no", "Give the student's enrollment number.")
        return enrollment_no_normalize(enrollment_no)
    own = _actor_enrollment_no(actor)
    if own is None:
        if not actor.is_authenticated:
            raise NotAuthenticated()
        raise PermissionDenied("Only students join teams.")
    if enrollment_no and enrollment_no_normalize(enrollment_no) != own:
        raise PermissionDenied("You may answer only your own invitations.")
    return own


def _ensure_leader(actor: Actor, team: Team, event: Event) -> None:
    """The team's leader, or an organizer of the event, manages the team."""
    if actor is None or _actor_enrollment_no(actor) == team.leader_id:
        return
    ensure_organizer(actor, event)


def _ensure_changeable(event: Event, now) -> None:
    """Teams change while registration is open; after that only cancelling is allowed."""
    if event.status == Event.Status.CANCELLED:
        raise EventCancelled()
    if not (event.status == Event.Status.PUBLISHED and event.registration_window_open_at(now)):
        raise TeamLocked(
            details={"closes_at": event.registration_closes_effective.isoformat()},
        )


def _locked_team(team: Team | str, *, with_questions: bool = False) -> tuple[Event, Team]:
    """The team's event locked first (the lock every seat change takes), then the team as it is now."""
    team_id = team.pk if isinstance(team, Team) else team
    event_id = Team.objects.filter(pk=team_id).values_list("event_id", flat=True).first()
    if event_id is None:
        raise NotFound.of("team", team_id)
    event = event_lock(event_id, with_questions=with_questions)
    return event, Team.objects.select_for_update().get(pk=team_id)


def _ensure_live(team: Team) -> None:
    if team.status not in LIVE_TEAM_STATUSES:
        raise NotFound("This team has been cancelled.", details={"what": "team", "team_id": team.pk})


def _locked_for_leader(team: Team | str, actor: Actor) -> tuple[Event, Team, datetime]:
    """A change the leader (or an organizer) makes: the team locked, live, theirs and still changeable
    now (the time returned, taken under the lock)."""
    event, locked = _locked_team(team)
    _ensure_live(locked)
    _ensure_leader(actor, locked, event)
    now = timezone.now()
    _ensure_changeable(event, now)
    return event, locked, now


# What the team is made of


def _in_team(team: Team) -> list[TeamMembership]:
    return list(team.memberships.filter(state__in=IN_TEAM_STATES).order_by("responded_at", "id"))


def _membership(team: Team, enrollment_no: str) -> TeamMembership | None:
    return team.memberships.filter(student_id=enrollment_no).first()


def _size_error(event: Event, size: int, message: str) -> TeamSize:
    return TeamSize(message, details={"min": event.team_size_min, "max": event.team_size_max, "size": size})


def _answers_values(event: Event, answers: object) -> dict:
    """The member's answers, checked now by the one rule (``registration_answers_clean``), as ``{code: value}``."""
    rows = registration_answers_clean(event=event, answers=answers)
    return {row.question.code: row.value for row in rows}


def _answer_rows(event: Event, answers: dict) -> list[RegistrationAnswer]:
    """Answer rows for a new registration from a member's stored answers (questions archived since are dropped)."""
    if not answers:
        return []
    questions = {q.code: q for q in EventQuestion.objects.filter(event=event, archived=False, code__in=list(answers))}
    return [
        RegistrationAnswer(question=questions[code], value=value)
        for code, value in answers.items()
        if code in questions
    ]


def _registrations_write(event: Event, team: Team, members: list[TeamMembership], status: str, seq, now) -> list:
    registrations = Registration.objects.bulk_create(
        [_new_registration(event, member.student_id, status, seq, now, team=team) for member in members]
    )
    by_student = {member.student_id: member for member in members}
    for registration in registrations:
        _answers_save(registration, _answer_rows(event, by_student[registration.student_id].answers))
    _registration_notify(registrations)
    return registrations


def _seats_take(event: Event, team: Team, now) -> None:
    """A forming team at its minimum takes its seats in one step: confirmed if all fit, else waitlisted whole.
    An event with approval makes the whole team wait as ``pending`` (no seats) for the organizers."""
    members = _in_team(team)
    if event.approval_required:
        status, seq = _approval_request(event, seats=len(members))
    else:
        status, seq = _seats_claim(event, len(members))
    team.status = status
    team.save(update_fields=["status"])
    _registrations_write(event, team, members, status, seq, now)


def _member_seat_add(event: Event, team: Team, member: TeamMembership, now) -> None:
    """A member joining a team that holds seats gets a place of the team's kind, never splitting it:
    a seat of its own for a confirmed team (EVENT_FULL when none is free), the team's waitlist place otherwise."""
    if team.status == TeamStatus.CONFIRMED:
        if not event.capacity_holds(event.confirmed_count + 1):
            raise EventFull(
                "The team is confirmed and no seat is left for another member.",
                details={"capacity": event.capacity, "seats_left": event.seats_left},
            )
        event.confirmed_count += 1
        event.save(update_fields=["confirmed_count"])
        seq = None
    elif team.status == TeamStatus.PENDING:
        seq = None
    else:
        seq = (
            team.registrations.filter(status=RegistrationStatus.WAITLISTED)
            .values_list("waitlist_seq", flat=True)
            .first()
        )
    _registrations_write(event, team, [member], team.status, seq, now)


def _seats_release(event: Event, registrations: list[Registration], now) -> dict[str, str]:
    """Cancel these registrations of a team; the seats they held go to the waitlist. Returns who was promoted."""
    if not registrations:
        return {}
    freed = sum(1 for registration in registrations if registration.status == RegistrationStatus.CONFIRMED)
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=now, checkin_code=None
    )
    notifications.registrations_cancelled([(r.student_id, r.pk) for r in registrations])
    if freed:
        event.confirmed_count -= freed
        event.save(update_fields=["confirmed_count"])
    # Also without a seat freed: a waitlisted team that shrank may fit the seats free now.
    return waitlist_promote(event=event)


def _after_departure(event: Event, team: Team, enrollment_no: str, now) -> dict[str, str]:
    """Someone left the team: their place goes, and a team below its minimum goes back to forming."""
    active = list(team.registrations.select_for_update().filter(status__in=ACTIVE_STATUSES))
    if team.status == TeamStatus.FORMING:
        return {}
    remaining = len(_in_team(team))
    if remaining < event.team_size_min:
        team.status = TeamStatus.FORMING
        team.save(update_fields=["status"])
        return _seats_release(event, active, now)
    return _seats_release(event, [r for r in active if r.student_id == enrollment_no], now)


def _join(event: Event, team: Team, member: TeamMembership, now) -> None:
    """``member`` (just accepted) is in: a forming team at its minimum takes its seats, a team
    holding seats gives the member one."""
    size = len(_in_team(team))
    if size > event.team_size_max:
        raise _size_error(event, size, f"Team {team.name} is full: at most {event.team_size_max} members.")
    if team.status == TeamStatus.FORMING:
        if size >= event.team_size_min:
            _seats_take(event, team, now)
    else:
        _member_seat_add(event, team, member, now)


def _ensure_free_to_join(event: Event, enrollment_no: str) -> None:
    """Not in another team or registered for the event, and in the event's audience."""
    ensure_in_audience(event, Student.objects.get(pk=enrollment_no))
    if students_in_event(event, [enrollment_no]):
        raise AlreadyRegistered(
            "You are already in a team (or registered) for this event; leave it first.",
            details={"enrollment_nos": [enrollment_no]},
        )


def _ensure_known(enrollment_nos: list[str]) -> None:
    known = set(Student.objects.filter(pk__in=enrollment_nos).values_list("pk", flat=True))
    missing = [enr for enr in enrollment_nos if enr not in known]
    if missing:
        raise NotFound(
            f"No student with enrollment number {', '.join(missing)}.",
            details={"what": "student", "enrollment_nos": missing},
        )


def _invitees_clean(leader: str, raw: Iterable[object]) -> list[str]:
    invitees: list[str] = []
    for position, value in enumerate(raw):
        enr = enrollment_no_normalize(value, field_name=f"members[{position}]")
        if enr != leader and enr not in invitees:
            invitees.append(enr)
    return invitees


def _invite(event: Event, team: Team, invitees: list[str], now) -> list[str]:
    """Open invitations (again, for those who declined or left); the students not already in the team."""
    _ensure_known(invitees)
    for student in Student.objects.filter(pk__in=invitees):
        ensure_in_audience(event, student)
    current = {m.student_id: m for m in team.memberships.filter(student_id__in=invitees)}
    fresh = [enr for enr in invitees if current.get(enr) is None or current[enr].state in (State.DECLINED, State.LEFT)]
    busy = students_in_event(event, fresh)
    if busy:
        raise AlreadyRegistered(
            f"Already in a team or registered for this event: {', '.join(busy)}.", details={"enrollment_nos": busy}
        )
    room = event.team_size_max - team.memberships.filter(state__in=(*IN_TEAM_STATES, State.PENDING)).count()
    if len(fresh) > room:
        raise _size_error(
            event,
            event.team_size_max - room + len(fresh),
            f"A team has at most {event.team_size_max} members, leader and open invitations included.",
        )
    again = [current[enr] for enr in fresh if enr in current]
    for membership in again:
        membership.state, membership.invited_at, membership.responded_at, membership.answers = (
            State.PENDING,
            now,
            None,
            {},
        )
    TeamMembership.objects.bulk_update(again, ["state", "invited_at", "responded_at", "answers"])
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(team=team, event=event, student_id=enr, state=State.PENDING, invited_at=now)
            for enr in fresh
            if enr not in current
        ]
    )
    notifications.team_invited(team.pk, fresh)
    return fresh


def _new_join_code() -> str:
    return ids.random_token(JOIN_CODE_LENGTH)


# The services


def team_create(
    *,
    event: Event | str,
    team_name: str,
    leader: str | None = None,
    invite: Iterable[str] = (),
    answers: dict | None = None,
    access_code: str | None = None,
    actor: Actor = None,
) -> Team:
    """A student starts a team and leads it: ``forming``, no seats held, with a join code to share.

    ``invite`` lists enrollment numbers to invite (each gets an email and sees the invitation on
    their events page); ``answers`` are the leader's answers to the event's questions. An
    invite-only event takes one use of ``access_code`` for the whole team. A team whose minimum is
    one takes its seats at once.
    """
    leader_enr = _acting_student(actor, leader)
    name = _team_name_clean(team_name)
    invitees = _invitees_clean(leader_enr, invite)
    try:
        with transaction.atomic():
            locked = event_lock(event, with_questions=True)
            now = timezone.now()
            _ensure_registration_open(locked, now)
            _ensure_mode(locked, Event.Mode.TEAM)
            _ensure_known([leader_enr])
            _ensure_free_to_join(locked, leader_enr)
            if _team_name_taken(locked, name):
                raise TeamNameTaken(details={"team_name": name})
            values = _answers_values(locked, answers) if answers or locked.asks_questions else {}
            if locked.access_code_required:
                _access_code_take(locked, access_code)
            team = Team.objects.create(
                team_id=ids.new_team_id(),
                event=locked,
                name=name,
                leader_id=leader_enr,
                status=TeamStatus.FORMING,
                join_code=_new_join_code(),
                created_at=now,
            )
            leader_row = TeamMembership.objects.create(
                team=team,
                event=locked,
                student_id=leader_enr,
                state=State.LEADER,
                answers=values,
                invited_at=now,
                responded_at=now,
            )
            if invitees:
                _invite(locked, team, invitees, now)
            _join(locked, team, leader_row, now)
    except IntegrityError as exc:
        if _team_name_taken(Event(pk=_event_id(event)), name):
            raise TeamNameTaken(details={"team_name": name}) from exc
        raise AlreadyRegistered(details={"enrollment_nos": [leader_enr]}) from exc
    return team


def _event_id(event: Event | str) -> str:
    return event.pk if isinstance(event, Event) else event


def team_register_or_create(
    *,
    event: Event | str,
    team_name: str,
    leader: str | None,
    members: Iterable[str],
    answers: dict | None = None,
    access_code: str | None = None,
    actor: Actor = None,
) -> Team:
    """What "register a team" means for whoever asks: an organizer or staff registers the whole team
    directly (``services.team_register``); a student creates a forming team and invites the members."""
    found = event if isinstance(event, Event) else Event.objects.filter(pk=event).first()
    organizer = actor is None or (found is not None and event_user_is_organizer(found, actor))
    if organizer and leader:
        return team_register(
            event=event,
            team_name=team_name,
            leader=leader,
            members=members,
            answers=answers,
            access_code=access_code,
            actor=actor,
        )
    return team_create(
        event=event,
        team_name=team_name,
        leader=leader,
        invite=members,
        answers=answers,
        access_code=access_code,
        actor=actor,
    )


def team_invite(*, team: Team | str, enrollment_nos: Iterable[str], actor: Actor = None) -> list[str]:
    """The leader invites more students; returns those invited now."""
    with transaction.atomic():
        event, locked, _ = _locked_for_leader(team, actor)
        invitees = _invitees_clean(locked.leader_id, enrollment_nos)
        if not invitees:
            raise ValidationFailed.for_field("enrollment_nos", "Give the enrollment numbers to invite.")
        return _invite(event, locked, invitees, timezone.now())


def team_invitation_accept(
    *, team: Team | str, enrollment_no: str | None = None, answers: dict | None = None, actor: Actor = None
) -> Team:
    """The invited student says yes (answering the event's questions) and is in the team.

    A forming team that reaches its minimum takes its seats now; a team already holding seats
    gives the new member one of the same kind, or refuses (EVENT_FULL, TEAM_SIZE) without splitting.
    """
    enr = _acting_student(actor, enrollment_no)
    try:
        with transaction.atomic():
            event, locked = _locked_team(team, with_questions=True)
            now = timezone.now()
            membership = _membership(locked, enr)
            if locked.status not in LIVE_TEAM_STATUSES or membership is None or membership.state != State.PENDING:
                raise InvitationNotFound()
            _ensure_changeable(event, now)
            _ensure_free_to_join(event, enr)
            membership.answers = _answers_values(event, answers) if answers or event.asks_questions else {}
            membership.state, membership.responded_at = State.ACCEPTED, now
            membership.save(update_fields=["answers", "state", "responded_at"])
            _join(event, locked, membership, now)
    except IntegrityError as exc:
        raise AlreadyRegistered(details={"enrollment_nos": [enr]}) from exc
    return locked


def team_invitation_decline(*, team: Team | str, enrollment_no: str | None = None, actor: Actor = None) -> Team:
    """The invited student says no; the leader sees it and may invite someone else."""
    enr = _acting_student(actor, enrollment_no)
    with transaction.atomic():
        event, locked = _locked_team(team)
        membership = _membership(locked, enr)
        if locked.status not in LIVE_TEAM_STATUSES or membership is None or membership.state != State.PENDING:
            raise InvitationNotFound()
        membership.state, membership.responded_at = State.DECLINED, timezone.now()
        membership.save(update_fields=["state", "responded_at"])
    return locked


def team_join_by_code(
    *,
    event: Event | str,
    join_code: str,
    enrollment_no: str | None = None,
    answers: dict | None = None,
    actor: Actor = None,
) -> Team:
    """Join the team of this event whose code the student was given, as if invited and accepting."""
    enr = _acting_student(actor, enrollment_no)
    code = ids.typed_code_normalize(join_code)
    if not code:
        raise ValidationFailed.for_field("join_code", "Enter the team's join code.")
    try:
        with transaction.atomic():
            locked_event = event_lock(event, with_questions=True)
            now = timezone.now()
            team = (
                Team.objects.select_for_update()
                .filter(event=locked_event, join_code=code, status__in=LIVE_TEAM_STATUSES)
                .first()
            )
            if team is None:
                raise InvitationNotFound("No team of this event has this join code.", details={"join_code": code})
            _ensure_changeable(locked_event, now)
            _ensure_known([enr])
            _ensure_free_to_join(locked_event, enr)
            values = _answers_values(locked_event, answers) if answers or locked_event.asks_questions else {}
            membership = _membership(team, enr)
            if membership is None:
                membership = TeamMembership(team=team, event=locked_event, student_id=enr, invited_at=now)
            membership.state, membership.responded_at, membership.answers = State.ACCEPTED, now, values
            membership.save()
            _join(locked_event, team, membership, now)
    except IntegrityError as exc:
        raise AlreadyRegistered(details={"enrollment_nos": [enr]}) from exc
    return team


def team_leave(*, team: Team | str, enrollment_no: str | None = None, actor: Actor = None) -> CancelResult:
    """A member leaves. Their seat goes to the waitlist; a team left below its minimum goes back to
    forming and frees all its seats. The leader hands over leadership first (or cancels the team)."""
    enr = _acting_student(actor, enrollment_no)
    with transaction.atomic():
        event, locked = _locked_team(team)
        _ensure_live(locked)
        membership = _membership(locked, enr)
        if membership is None or membership.state not in IN_TEAM_STATES:
            raise NotFound("You are not in this team.", details={"what": "team_member", "enrollment_no": enr})
        if membership.state == State.LEADER:
            raise PermissionDenied("The leader hands the team over to another member before leaving, or cancels it.")
        now = timezone.now()
        _ensure_changeable(event, now)
        return _departure(event, locked, membership, now)


def _departure(event: Event, team: Team, membership: TeamMembership, now) -> CancelResult:
    cancelled = list(
        team.registrations.filter(student_id=membership.student_id, status__in=ACTIVE_STATUSES).values_list(
            "pk", flat=True
        )
    )
    membership.state, membership.responded_at = State.LEFT, now
    membership.save(update_fields=["state", "responded_at"])
    before = set(team.registrations.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    promoted = _after_departure(event, team, membership.student_id, now)
    after = set(team.registrations.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    return CancelResult(cancelled=sorted(set(cancelled) | (before - after)), promoted=promoted)


def team_member_remove(*, team: Team | str, enrollment_no: str, actor: Actor = None) -> CancelResult:
    """The leader (or an organizer) removes a member or withdraws an invitation."""
    enr = enrollment_no_normalize(enrollment_no)
    with transaction.atomic():
        event, locked, now = _locked_for_leader(team, actor)
        membership = _membership(locked, enr)
        if membership is None or membership.state not in (*IN_TEAM_STATES, State.PENDING):
            raise NotFound("This student is not in the team.", details={"what": "team_member", "enrollment_no": enr})
        if membership.state == State.LEADER:
            raise PermissionDenied("The leader cannot be removed; hand the team over first.")
        if membership.state == State.PENDING:
            membership.state, membership.responded_at = State.LEFT, now
            membership.save(update_fields=["state", "responded_at"])
            return CancelResult()
        return _departure(event, locked, membership, now)


def team_leader_transfer(*, team: Team | str, enrollment_no: str, actor: Actor = None) -> Team:
    """The leader hands the team to an accepted member."""
    enr = enrollment_no_normalize(enrollment_no)
    with transaction.atomic():
        event, locked, _ = _locked_for_leader(team, actor)
        membership = _membership(locked, enr)
        if membership is None or membership.state != State.ACCEPTED:
            raise ValidationFailed.for_field("enrollment_no", "Hand the team over to a member who has accepted.")
        locked.memberships.filter(state=State.LEADER).update(state=State.ACCEPTED)
        membership.state = State.LEADER
        membership.save(update_fields=["state"])
        locked.leader_id = enr
        locked.save(update_fields=["leader"])
    return locked


def team_rename(*, team: Team | str, team_name: str, actor: Actor = None) -> Team:
    """The leader renames the team; names stay unique per event whatever their case."""
    name = _team_name_clean(team_name)
    try:
        with transaction.atomic():
            event, locked, _ = _locked_for_leader(team, actor)
            if name.lower() != locked.name.lower() and _team_name_taken(event, name):
                raise TeamNameTaken(details={"team_name": name})
            locked.name = name
            locked.save(update_fields=["name"])
    except IntegrityError as exc:
        raise TeamNameTaken(details={"team_name": name}) from exc
    return locked


def team_cancel(*, team: Team | str, actor: Actor = None) -> CancelResult:
    """The leader or an organizer cancels the whole team, at any time before the event starts
    (organizers: any time). A team holding seats is cancelled as every registration is
    (``services.registration_cancel``: its seats go to the waitlist); a forming team simply ends."""
    team_id = team.pk if isinstance(team, Team) else team
    with transaction.atomic():
        event, locked = _locked_team(team_id)
        _ensure_live(locked)
        _ensure_leader(actor, locked, event)
        if locked.status != TeamStatus.FORMING:
            return registration_cancel(event=event, enrollment_no=locked.leader_id, actor=actor)
        locked.status = TeamStatus.CANCELLED
        locked.save(update_fields=["status"])
        team_memberships_end([locked])
    return CancelResult()
