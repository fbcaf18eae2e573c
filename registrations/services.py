"""Every rule about students, registrations, teams, attendance and feedback.

Each function is one transaction. Writes that depend on the event's capacity take
the event's row lock first (``select_for_update``; on SQLite the IMMEDIATE
transaction holds the database's write lock), then check, then write: with any
number of simultaneous requests, confirmed students never exceed capacity and no
student holds two active registrations. The unique constraints are the last line:
an ``IntegrityError`` becomes the domain error, never a 500.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cache
from itertools import groupby

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone
from psycopg import sql as psycopg_sql

from events.models import (
    Event,
    EventAuditEntry,
    EventQuestion,
    EventSession,
    registration_plain_q,
    registration_window_open_q,
    seat_free_q,
)
from events.selectors import event_session_current, event_user_is_organizer
from events.services import event_audit_record
from eventsite import ids
from eventsite.errors import (
    AccessCodeInvalid,
    AlreadyExists,
    AlreadyRegistered,
    CheckinNotOpen,
    DomainError,
    EventCancelled,
    EventFull,
    FeedbackAlreadySubmitted,
    LinkRevoked,
    NotAttended,
    NotAuthenticated,
    NotFound,
    NotRegistered,
    PendingApproval,
    PermissionDenied,
    RegistrationClosed,
    TeamNameTaken,
    TeamSize,
    Throttled,
    ValidationFailed,
    WrongRegistrationMode,
)
from eventsite.logins import locked_message, login_locked
from eventsite.text import multiline_text, single_line_text, text_errors
from registrations import hooks, notifications
from registrations.audience import access_code_new, ensure_in_audience
from registrations.models import (
    ACTIVE_STATUSES,
    CURRENT_STATUSES,
    IN_TEAM_STATES,
    LIVE_TEAM_STATUSES,
    AccessCode,
    Attendance,
    CheckinScan,
    Feedback,
    FeedbackAnswer,
    FeedbackQuestion,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
    ScannerLink,
    Student,
    Team,
    TeamMembership,
)
from registrations.selectors import student_email_owner
from registrations.verification import signup_link_user, signup_pending

Actor = User | AnonymousUser | None
TEAM_NAME_MAX_LENGTH = 100


# Enrollment numbers and students


def enrollment_no_normalize(raw: object, *, field_name: str = "enrollment_no") -> str:
    """Trim and upper-case an enrollment number and check it against ENROLLMENT_NO_PATTERN."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed.for_field(field_name, "An enrollment number is required.")
    value = raw.strip().upper()
    if not re.fullmatch(settings.ENROLLMENT_NO_PATTERN, value):
        raise ValidationFailed.for_field(field_name, f"{value!r} is not a valid enrollment number.")
    return value


def student_get(enrollment_no: str) -> Student:
    student = Student.objects.filter(pk=enrollment_no).first()
    if student is None:
        raise NotFound.of("student", enrollment_no)
    return student


def _student_fields_clean(*, full_name: str, email: str, department: str, year: int | None, phone: str) -> dict:
    errors: dict[str, list[str]] = {}
    full_name = " ".join((full_name or "").split())
    if not full_name:
        errors["full_name"] = ["A name is required."]
    elif len(full_name) > 150:
        errors["full_name"] = ["At most 150 characters."]
    email = (email or "").strip().lower()
    if email and not Student.email_is_valid(email):
        errors["email"] = ["Enter a valid email address."]
    department = (department or "").strip().upper()
    if len(department) > 20:
        errors["department"] = ["At most 20 characters."]
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 6):
        errors["year"] = ["The year is a whole number from 1 to 6."]
    phone = (phone or "").strip()
    if len(phone) > 20:
        errors["phone"] = ["At most 20 characters."]
    for name, messages in text_errors(
        {
            name: (value, single_line_text)
            for name, value in (("full_name", full_name), ("department", department), ("phone", phone))
        }
    ).items():
        errors.setdefault(name, messages)
    if errors:
        raise ValidationFailed(details=errors)
    return {"full_name": full_name, "email": email, "department": department, "year": year, "phone": phone}


def _email_taken(email: str, *, other_than: str | None = None) -> bool:
    owner = student_email_owner(email)
    return owner is not None and owner != other_than


def student_upsert(
    *,
    enrollment_no: str,
    full_name: str,
    email: str = "",
    department: str = "",
    year: int | None = None,
    phone: str = "",
) -> tuple[Student, bool]:
    """Create the student or update their details; returns ``(student, created)``.

    A student whose details are already these is not written again (re-imports leave
    ``updated_at`` alone).
    """
    enr = enrollment_no_normalize(enrollment_no)
    values = _student_fields_clean(full_name=full_name, email=email, department=department, year=year, phone=phone)
    try:
        with transaction.atomic():
            if _email_taken(values["email"], other_than=enr):
                raise AlreadyExists("Another student already has this email.", details={"email": [values["email"]]})
            student, created = Student.objects.select_for_update().get_or_create(pk=enr, defaults=values)
            changed = [name for name, value in values.items() if getattr(student, name) != value]
            if changed:
                for name in changed:
                    setattr(student, name, values[name])
                student.save(update_fields=[*changed, "updated_at"])
            return student, created
    except IntegrityError as exc:
        raise AlreadyExists("Another student already has this email.", details={"email": [values["email"]]}) from exc


def _signup_email_domain_check(email: str) -> None:
    domains = settings.SIGNUP_EMAIL_DOMAINS
    if domains and email.rpartition("@")[2] not in domains:
        listed = ", ".join(f"@{domain}" for domain in domains)
        raise ValidationFailed.for_field("email", f"Sign up with your college email address ({listed}).")


def student_signup(
    *,
    enrollment_no: str,
    full_name: str,
    email: str,
    department: str = "",
    year: int | None = None,
    password: str,
    phone: str = "",
    verify_email: bool | None = None,
) -> Student:
    """Create a student and their login (username = enrollment number).

    A student imported without a login gets the login attached when the email is the one on
    file; otherwise an existing enrollment number or email is ``ALREADY_EXISTS``. With
    ``verify_email`` (default: the SIGNUP_EMAIL_VERIFICATION setting) the login stays
    inactive until the link emailed to the address is followed (``signup_verify``); a new
    sign-up over a login still waiting for that replaces its password and sends a new link,
    so an unproven sign-up never blocks the address's owner.
    """
    from django.contrib.auth.password_validation import validate_password

    verify = settings.SIGNUP_EMAIL_VERIFICATION if verify_email is None else verify_email
    enr = enrollment_no_normalize(enrollment_no)
    values = _student_fields_clean(full_name=full_name, email=email, department=department, year=year, phone=phone)
    if not values["email"]:
        raise ValidationFailed.for_field("email", "An email address is required.")
    _signup_email_domain_check(values["email"])
    try:
        validate_password(password, User(username=enr, email=values["email"], first_name=values["full_name"]))
    except DjangoValidationError as exc:
        raise ValidationFailed("The password is too weak.", details={"password": list(exc.messages)}) from exc
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username__iexact=enr).first()
            if user is not None and not signup_pending(user):
                raise AlreadyExists("This enrollment number already has a login.", details={"enrollment_no": [enr]})
            student = Student.objects.select_for_update().filter(pk=enr).first()
            if student is not None and student.user_id not in (None, getattr(user, "pk", None)):
                raise AlreadyExists("This enrollment number is already registered.", details={"enrollment_no": [enr]})
            if student is not None and student.email.lower() != values["email"]:
                raise AlreadyExists(
                    "This enrollment number is already registered. Sign up with the college email address "
                    "the college has on file for you.",
                    details={"enrollment_no": [enr]},
                )
            if _email_taken(values["email"], other_than=enr):
                raise AlreadyExists("Another student already has this email.", details={"email": [values["email"]]})
            if user is None:
                user = User.objects.create_user(
                    username=enr,
                    email=values["email"],
                    password=password,
                    first_name=values["full_name"][:150],
                    is_active=not verify,
                )
            else:
                user.set_password(password)
                user.is_active = not verify
                user.save(update_fields=["password", "is_active"])
            if student is None:
                student = Student.objects.create(pk=enr, user=user, **values)
            elif student.user_id is None:
                student.user = user
                student.save(update_fields=["user", "updated_at"])
            if verify:
                notifications.signup_verification(student, user)
            return student
    except IntegrityError as exc:
        raise AlreadyExists("This student or email already exists.", details={"enrollment_no": [enr]}) from exc


def signup_verify(*, token: str, password: str) -> User:
    """Activate the login a verification link was sent for, given the password chosen at sign-up.

    The password keeps a link that reaches the real owner of an address from activating a
    sign-up somebody else made with it. A link works once and only in time.
    """
    with transaction.atomic():
        user = signup_link_user(token)
        if user is None:
            raise ValidationFailed.for_field("token", "This link has expired or was already used.")
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise ValidationFailed.for_field("token", "This link has expired or was already used.")
        if not user.check_password(password):
            raise ValidationFailed.for_field("password", "This is not the password chosen at sign-up.")
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def signup_verification_resend(*, enrollment_no: str) -> None:
    """Send a new link to a sign-up still waiting for its email check; otherwise nothing.

    The caller is told the same either way, so nobody learns which numbers have a login.
    """
    try:
        enr = enrollment_no_normalize(enrollment_no)
    except ValidationFailed:
        return
    with transaction.atomic():
        student = Student.objects.select_related("user").filter(pk=enr, user__isnull=False).first()
        if student is not None and signup_pending(student.user) and student.email:
            notifications.signup_verification(student, student.user)


def login_token_issue(*, username: str, password: str, request: HttpRequest) -> tuple[User, str]:
    """Check a login and return ``(user, API token)``; the token is made once and reused.

    ``request`` is what the lock-out counts (eventsite/logins.py): a username it refuses is
    THROTTLED, the same answer whether or not the username exists.
    """
    from django.contrib.auth import authenticate
    from rest_framework.authtoken.models import Token

    user = authenticate(request, username=username, password=password)
    if user is None:
        if login_locked(request):
            raise Throttled(locked_message(), details={"retry_after": settings.LOGIN_FAILURE_WINDOW})
        message = "The username or password is not right."
        raise ValidationFailed(message, details={"non_field_errors": [message]})
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key


# Who may act for whom


def _actor_enrollment_no(actor: Actor) -> str | None:
    student = getattr(actor, "student", None) if actor is not None and actor.is_authenticated else None
    return student.enrollment_no if student is not None else None


def _actor_user(actor: Actor) -> User | None:
    if actor is None or not actor.is_authenticated or getattr(actor, "scanner_link", None) is not None:
        return None
    return actor


class ScannerLinkActor(AnonymousUser):
    """Who acts through a scanner link: no login, only that event's door (``_ensure_may_check_in``)."""

    def __init__(self, link: ScannerLink):
        self.scanner_link = link

    @property
    def is_authenticated(self) -> bool:
        return True

    def __str__(self) -> str:
        return f"link:{self.scanner_link.pk}"


def _ensure_may_act_for(actor: Actor, event: Event, enrollment_no: str) -> None:
    """A student acts only for themselves; organizers of the event and staff act for anyone."""
    if actor is None:
        return
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if _actor_enrollment_no(actor) == enrollment_no or event_user_is_organizer(event, actor):
        return
    raise PermissionDenied("You may act only for yourself.")


def _ensure_may_check_in(actor: Actor, event: Event) -> None:
    """The event's organizers, and its active scanner links, check people in."""
    link = getattr(actor, "scanner_link", None)
    if link is None:
        ensure_organizer(actor, event)
    elif link.event_id != event.pk:
        raise PermissionDenied("This scanner link is for another event.")
    elif not link.is_active():
        raise LinkRevoked()


def ensure_organizer(actor: Actor, event: Event) -> None:
    if actor is None:
        return
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not event_user_is_organizer(event, actor):
        raise PermissionDenied("Only this event's organizers can do this.")


# Registration


# Stands for the event's key while the lock's query is compiled; each execution binds the real one.
_EVENT_KEY_PLACEHOLDER = "\x00event\x00"


def _event_lock_rows(pk: str, with_questions: bool):
    # NO KEY UPDATE: rows that merely point at the event (an attendance, a certificate) can still be
    # inserted while it is held, so a check-in holding its registration's lock never deadlocks with a
    # cancellation holding the event's.
    rows = Event.objects.select_for_update(no_key=True).filter(pk=pk)
    if with_questions:
        rows = rows.annotate(asks_questions=Exists(EventQuestion.objects.filter(event=OuterRef("pk"), archived=False)))
    return rows[:1]


_event_lock_sql: dict[tuple[str, bool], tuple[str, tuple]] = {}


def event_lock(event: Event | str, *, with_questions: bool = False) -> Event:
    """The event, locked. ``with_questions``: annotated ``asks_questions`` in the same query.

    The query is the ORM's (``_event_lock_rows``), compiled once per connection and then run through
    ``Manager.raw``: on SQLite the database's write lock is held while it runs, and compiling it
    (the annotation above all) took most of a registration's time under that lock.
    """
    pk = event.pk if isinstance(event, Event) else event
    if connection.get_autocommit():
        raise transaction.TransactionManagementError("event_lock() holds the lock until the end of a transaction.")
    key = (connection.alias, with_questions)
    if key not in _event_lock_sql:
        sql, params = _event_lock_rows(_EVENT_KEY_PLACEHOLDER, with_questions).query.sql_with_params()
        _event_lock_sql[key] = sql, params
    sql, params = _event_lock_sql[key]
    locked = next(
        iter(Event.objects.raw(sql, [pk if value == _EVENT_KEY_PLACEHOLDER else value for value in params])), None
    )
    if locked is None:
        raise NotFound.of("event", pk)
    if with_questions:
        locked.asks_questions = bool(locked.asks_questions)  # SQLite answers 0 or 1
    return locked


def _ensure_registration_open(event: Event, now) -> None:
    if event.status == Event.Status.CANCELLED:
        raise EventCancelled()
    opens, closes = event.registration_opens_at, event.registration_closes_effective
    details = {"opens_at": opens.isoformat() if opens else None, "closes_at": closes.isoformat()}
    if event.status != Event.Status.PUBLISHED:
        raise RegistrationClosed("This event is not open for registration.", details=details)
    if not event.registration_window_open_at(now):
        if event.registration_opens_later_than(now):
            raise RegistrationClosed("Registration has not opened yet.", details=details)
        raise RegistrationClosed("Registration has closed.", details=details)


def _ensure_mode(event: Event, mode: str) -> None:
    if event.registration_mode != mode:
        raise WrongRegistrationMode(
            f"This event takes {event.registration_mode} registrations.",
            details={"registration_mode": event.registration_mode},
        )


def _seats_claim(event: Event, seats: int) -> tuple[str, int | None]:
    """Confirm ``seats`` students if they fit, else take the next waitlist place.

    Called with the event's row lock held; updates the event's counters.
    """
    if event.capacity_holds(event.confirmed_count + seats):
        event.confirmed_count += seats
        event.save(update_fields=["confirmed_count"])
        return RegistrationStatus.CONFIRMED, None
    if not event.waitlist_enabled:
        raise EventFull(details={"capacity": event.capacity, "seats_left": event.seats_left})
    event.waitlist_counter += 1
    event.save(update_fields=["waitlist_counter"])
    return RegistrationStatus.WAITLISTED, event.waitlist_counter


def _active_enrollments(event: Event, enrollment_nos: Iterable[str]) -> list[str]:
    """Who of these already holds a place in the event, or waits for approval of one."""
    return sorted(
        Registration.objects.filter(
            event=event, student_id__in=list(enrollment_nos), status__in=CURRENT_STATUSES
        ).values_list("student_id", flat=True)
    )


def _already_registered_refusal(enrollment_no: str, *, waiting: bool) -> DomainError:
    """The refusal for a student who already has a registration: PENDING_APPROVAL while it waits for approval."""
    details = {"enrollment_nos": [enrollment_no]}
    if waiting:
        return PendingApproval("Your registration is already waiting for the organizers' approval.", details=details)
    return AlreadyRegistered(details=details)


def _already_registered(event_id: str, enrollment_no: str) -> DomainError:
    """``_already_registered_refusal``, asking the database whether the registration waits for approval."""
    waiting = Registration.objects.filter(
        event_id=event_id, student_id=enrollment_no, status=RegistrationStatus.PENDING
    ).exists()
    return _already_registered_refusal(enrollment_no, waiting=waiting)


def _new_registration(event: Event, enrollment_no: str, status: str, seq: int | None, now, team: Team | None = None):
    return Registration(
        registration_id=ids.new_registration_id(),
        event=event,
        student_id=enrollment_no,
        team=team,
        status=status,
        checkin_code=ids.new_checkin_code() if status == RegistrationStatus.CONFIRMED else None,
        waitlist_seq=seq,
        registered_at=now,
    )


class _NoSeatClaimed(Exception):
    pass


def _open_with_a_seat_q(now) -> Q:
    """Where the direct confirmation may take a seat: a published individual event, open, with a seat free,
    asking no questions (their answers are checked and written by the general path, with the seat), open to
    everyone with nothing more to check (audience, access codes and approval are the general path's)."""
    return (
        Q(status=Event.Status.PUBLISHED, registration_mode=Event.Mode.INDIVIDUAL)
        & registration_window_open_q(now)
        & seat_free_q()
        & registration_plain_q()
        & ~Exists(EventQuestion.objects.filter(event=OuterRef("pk"), archived=False))
    )


# The direct confirmation on PostgreSQL: the seat, the registration and its outbox row in one
# statement. The UPDATE holds the event's row lock until the statement ends. Its WHERE clause is
# ``_open_with_a_seat_q`` compiled by the ORM (``_confirm_in_one_statement_sql``), and a student who
# already holds a place (or waits for approval of one) takes no seat; should two of their requests
# pass that check at once, the one-active-registration constraint refuses the second insert and the
# whole statement is undone, the seat with it. When no seat is taken, the same statement reports
# the event as it stood and the status of the student's current registration, if any, so the
# usual refusals need no second trip.
_SNAPSHOT_FIELDS = (
    "status",
    "registration_mode",
    "registration_opens_at",
    "registration_closes_at",
    "starts_at",
    "capacity",
    "confirmed_count",
    "waitlist_enabled",
    "eligible_departments",
    "eligible_years",
    "access_code_required",
    "approval_required",
)
# The student's registration that holds or waits for a place (at most one: the constraint).
_CURRENT_REGISTRATION = """registrations_registration
        WHERE event_id = %(event_id)s AND enrollment_no = %(enrollment_no)s
          AND status IN ({current_statuses})"""
_CONFIRM_IN_ONE_STATEMENT = f"""
WITH seat AS (
    UPDATE events_event SET confirmed_count = confirmed_count + 1
    WHERE event_id = %(event_id)s AND {{seat_condition}} AND NOT EXISTS (SELECT 1 FROM {_CURRENT_REGISTRATION})
    RETURNING event_id
), registration AS (
    INSERT INTO registrations_registration
        (registration_id, event_id, enrollment_no, status, checkin_code, registered_at)
    SELECT %(registration_id)s, event_id, %(enrollment_no)s, {{confirmed}}, %(checkin_code)s, %(now)s FROM seat
    RETURNING registration_id
), notification AS (
    INSERT INTO registrations_notification
        (kind, enrollment_no, object_id, state, attempts, created_at, next_attempt_at, last_error)
    SELECT {{kind}}, %(enrollment_no)s, registration_id, {{pending}}, 0, %(now)s, %(now)s, '' FROM registration
    RETURNING id
)
SELECT notification.id,
       CASE WHEN notification.id IS NULL THEN (SELECT status FROM {_CURRENT_REGISTRATION}) END,
       {", ".join("e." + name for name in _SNAPSHOT_FIELDS)}
FROM events_event e LEFT JOIN notification ON true
WHERE e.event_id = %(event_id)s
"""


def _refuse_as_the_general_path_would(event: Event, current_status: str | None, enrollment_no: str, now) -> None:
    """Raise the general path's answer where the event as the statement saw it leaves nothing to decide.

    Closed, cancelled, the wrong mode, already registered (``current_status``: the student's
    registration that holds or waits for a place), or full without a waitlist: the same checks in
    the same order as under the lock. Otherwise (a waitlist place, a seat freed meanwhile, an event
    with an audience, access codes or approval) return, and the general path decides.
    """
    _ensure_registration_open(event, now)
    _ensure_mode(event, Event.Mode.INDIVIDUAL)
    if not event.registration_is_plain:
        return
    if current_status is not None:  # confirmed, waitlisted or awaiting approval: the general path's words for each
        raise _already_registered_refusal(enrollment_no, waiting=current_status == RegistrationStatus.PENDING)
    if not event.capacity_holds(event.confirmed_count + 1) and not event.waitlist_enabled:
        raise EventFull(details={"capacity": event.capacity, "seats_left": event.seats_left})


# Stands for the statement's time while its condition is compiled; each execution binds the real one.
_NOW_PLACEHOLDER = datetime(2000, 1, 1, tzinfo=UTC)


def _sql_literal(value: object) -> str:
    """``value`` as a PostgreSQL literal, ready to stand in a statement that still takes %-parameters."""
    return psycopg_sql.Literal(value).as_string().replace("%", "%%")


@cache
def _confirm_in_one_statement_sql() -> str:
    """The statement with ``_open_with_a_seat_q`` compiled into its UPDATE.

    Compiled once per process. The condition's constants (statuses, the empty audience) and the
    statement's own are written into its text as literals, so each execution binds only the five
    values of the request (the event, the student, the new registration's id and check-in code,
    the time), and PostgreSQL prepares the same text every time.
    """
    query = Event.objects.filter(_open_with_a_seat_q(_NOW_PLACEHOLDER)).query
    condition, condition_params = query.get_compiler(connection=connection).compile(query.where)
    values = tuple("%(now)s" if value == _NOW_PLACEHOLDER else _sql_literal(value) for value in condition_params)
    return _CONFIRM_IN_ONE_STATEMENT.format(
        seat_condition=condition % values,
        current_statuses=", ".join(_sql_literal(str(status)) for status in CURRENT_STATUSES),
        confirmed=_sql_literal(str(RegistrationStatus.CONFIRMED)),
        kind=_sql_literal(str(notifications.Kind.REGISTRATION_CONFIRMED)),
        pending=_sql_literal(str(notifications.State.PENDING)),
    )


@cache
def _snapshot_reading() -> tuple[tuple, tuple[str, ...]]:
    """How each of ``_SNAPSHOT_FIELDS`` is decoded, as the ORM decodes it, and the loaded fields in model order."""
    decoders = tuple(getattr(Event._meta.get_field(name), "from_db_value", None) for name in _SNAPSHOT_FIELDS)
    loaded = {"event_id", *_SNAPSHOT_FIELDS}
    return decoders, tuple(field.attname for field in Event._meta.concrete_fields if field.attname in loaded)


def _event_snapshot(event_id: str, values: Iterable[object]) -> Event:
    """The event as the statement read it; its other fields are left unloaded, as ``.only()`` leaves them.

    A cursor hands JSON columns over as text (Django's PostgreSQL backend loads ``jsonb`` so), and
    the text ``"[]"`` is not the empty audience: undecoded, every plain event looked restricted
    and each refusal took the general path, four queries more under the event's lock.
    """
    decoders, model_order = _snapshot_reading()
    read = {"event_id": event_id}
    for name, decode, value in zip(_SNAPSHOT_FIELDS, decoders, values, strict=True):
        read[name] = decode(value, None, connection) if decode else value
    return Event.from_db(connection.alias, model_order, [read[name] for name in model_order])


def _confirm_in_one_statement(registration: Registration) -> None:
    params = {
        "event_id": registration.event_id,
        "enrollment_no": registration.student_id,
        "registration_id": registration.pk,
        "checkin_code": registration.checkin_code,
        "now": registration.registered_at,
    }
    try:
        # Under autocommit the statement is its own transaction; inside a caller's transaction it
        # needs a savepoint, so that a refused insert undoes only itself.
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(_confirm_in_one_statement_sql(), params)
            row = cursor.fetchone()
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if constraint == "registration_one_active_per_student":  # two of the student's requests at once
            raise _already_registered(registration.event_id, registration.student_id) from error
        raise
    if row is None:  # no such event: the general path says so
        raise _NoSeatClaimed
    notification_id, current_status, *event_values = row
    if notification_id is None:
        snapshot = _event_snapshot(registration.event_id, event_values)
        _refuse_as_the_general_path_would(snapshot, current_status, registration.student_id, params["now"])
        raise _NoSeatClaimed
    notifications.deliver_after_commit([notification_id])


def _registration_confirm_directly(event_pk: str, enrollment_no: str) -> Registration | None:
    """On PostgreSQL, confirm a seat in one statement, holding the event's row lock only for that statement.

    The seat, the registration and its confirmation email's outbox row are one statement: the seat
    is taken only where ``_open_with_a_seat_q`` holds, under the row lock, so concurrent requests
    never oversubscribe, and the one-active-registration constraint refuses a second registration.
    The statement also gives the plain refusals itself (closed, full without a waitlist, already
    registered: ``_refuse_as_the_general_path_would``). Anything else returns None, and the caller
    takes the general path, which gives the right answer (waitlist place or domain error).
    The student must be known to exist: the foreign key is checked only at the commit.
    """
    registration = Registration(
        registration_id=ids.new_registration_id(),
        event_id=event_pk,
        student_id=enrollment_no,
        status=RegistrationStatus.CONFIRMED,
        checkin_code=ids.new_checkin_code(),
        registered_at=timezone.now(),
    )
    try:
        _confirm_in_one_statement(registration)
    except (_NoSeatClaimed, IntegrityError):
        return None
    return registration


# Answers to an event's registration questions

ANSWER_TEXT_MAX_LENGTH = 2000


def _registration_answer_value(question: EventQuestion, value: object) -> object:
    """The stored value of one answer, or None when an optional question is left blank; ValueError if malformed."""
    blank = value is None or (isinstance(value, str) and not value.strip()) or value == []
    if blank:
        if question.required:
            raise ValueError("This question needs an answer.")
        return None
    kind = question.kind
    if kind == EventQuestion.Kind.TEXT:
        if not isinstance(value, str):
            raise ValueError("The answer is text.")
        text = value.strip()
        if len(text) > ANSWER_TEXT_MAX_LENGTH:
            raise ValueError(f"At most {ANSWER_TEXT_MAX_LENGTH} characters.")
        for messages in text_errors({"text": (text, multiline_text)}).values():
            raise ValueError(messages[0])
        return text
    if kind == EventQuestion.Kind.NUMBER:
        if isinstance(value, str):
            try:
                value = float(value.strip()) if "." in value else int(value.strip())
            except ValueError:
                raise ValueError("The answer is a number.") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) > 1e12:
            raise ValueError("The answer is a number.")
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if kind == EventQuestion.Kind.YES_NO:
        if isinstance(value, str) and value.strip().lower() in ("yes", "no", "true", "false"):
            value = value.strip().lower() in ("yes", "true")
        if not isinstance(value, bool):
            raise ValueError("The answer is yes or no.")
        return value
    if kind == EventQuestion.Kind.CHOICE:
        if not isinstance(value, str) or value.strip() not in question.choices:
            raise ValueError(f"One of: {', '.join(question.choices)}.")
        return value.strip()
    # multi_choice: a list of options (a single option alone is accepted as a list of one)
    picked = [value] if isinstance(value, str) else value
    known = set(question.choices)
    if not isinstance(picked, list) or any(not isinstance(item, str) or item.strip() not in known for item in picked):
        raise ValueError(f"Some of: {', '.join(question.choices)}.")
    chosen = {item.strip() for item in picked}
    return [choice for choice in question.choices if choice in chosen]


def registration_answers_clean(*, event: Event, answers: object) -> list[RegistrationAnswer]:
    """Validate ``{code: value}`` against the event's questions: unsaved answer rows, or VALIDATION_ERROR.

    Every problem is reported, keyed ``answers.<code>``. The one check used by the API and the pages.
    """
    questions = list(EventQuestion.objects.filter(event=event, archived=False))
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise ValidationFailed.for_field("answers", "Answers are an object {code: value}.")
    by_code = {question.code: question for question in questions}
    errors: dict[str, list[str]] = {}
    for code in answers:
        if str(code) not in by_code:
            errors[f"answers.{code}"] = ["This event asks no such question."]
    rows: list[RegistrationAnswer] = []
    for question in questions:
        try:
            value = _registration_answer_value(question, answers.get(question.code))
        except ValueError as exc:
            errors[f"answers.{question.code}"] = [str(exc)]
            continue
        if value is not None:
            rows.append(RegistrationAnswer(question=question, value=value))
    if errors:
        raise ValidationFailed("Some answers are not valid.", details=errors)
    return rows


def _answers_save(registration: Registration, rows: list[RegistrationAnswer]) -> None:
    for row in rows:
        row.registration = registration
    RegistrationAnswer.objects.bulk_create(rows)


def registration_create(
    *,
    event: Event | str,
    enrollment_no: str,
    answers: dict | None = None,
    access_code: str | None = None,
    actor: Actor = None,
) -> Registration:
    """Register one student for an individual event: confirmed if a seat is left, else waitlisted or EVENT_FULL.

    ``answers`` (``{code: value}``) answer the event's questions; they are written with the registration.
    The student must be in the event's audience (AUDIENCE_RESTRICTED); an invite-only event takes one use
    of ``access_code`` (ACCESS_CODE_INVALID); an event with approval makes the registration ``pending``,
    holding no seat. An organizer registering someone needs no code and no approval.
    """
    enr = enrollment_no_normalize(enrollment_no)
    # An event with questions, an audience, access codes or approval takes the general path (the direct
    # statement's condition refuses it), so every one of its rules is checked in the transaction that
    # takes the seat.
    if connection.vendor == "postgresql" and _actor_enrollment_no(actor) == enr and not answers and not access_code:
        # A student registering themselves while seats are left: the common case of a rush,
        # kept to the shortest hold of the event's lock. (Only for them: their student row was
        # loaded with their login, so the insert cannot break the deferred foreign key.) SQLite
        # has one writer at a time whatever the statements, so the general path serves it as fast.
        confirmed = _registration_confirm_directly(event.pk if isinstance(event, Event) else event, enr)
        if confirmed is not None:
            return confirmed
    try:
        with transaction.atomic():
            locked = event_lock(event, with_questions=True)
            now = timezone.now()  # after the lock: the times are in the order the writes happen
            _ensure_may_act_for(actor, locked, enr)
            _ensure_registration_open(locked, now)
            _ensure_mode(locked, Event.Mode.INDIVIDUAL)
            # A student acting for themselves was loaded with their login.
            student = actor.student if _actor_enrollment_no(actor) == enr else student_get(enr)
            invited = _invitation_waived(locked, actor)
            ensure_in_audience(locked, student)
            code = _access_code_take(locked, access_code) if locked.access_code_required and not invited else None
            # No "already registered?" query on the way in: the one-active-registration constraint
            # refuses the insert, and the IntegrityError rolls back the seat claimed just before it.
            try:
                if locked.approval_required and not invited:
                    status, seq = _approval_request(locked)
                else:
                    status, seq = _seats_claim(locked, 1)
            except EventFull:
                if _active_enrollments(locked, [enr]):
                    raise _already_registered(locked.pk, enr) from None
                raise
            answer_rows = (
                registration_answers_clean(event=locked, answers=answers) if answers or locked.asks_questions else []
            )
            registration = _new_registration(locked, enr, status, seq, now)
            registration.access_code = code
            registration.save(force_insert=True)
            _answers_save(registration, answer_rows)
            _registration_notify([registration])
    except IntegrityError as exc:
        raise _already_registered(event.pk if isinstance(event, Event) else event, enr) from exc
    return registration


def _registration_notify(registrations: list[Registration]) -> None:
    """The email each registration owes for the status it was given: confirmed, waitlisted or awaiting approval."""
    status = registrations[0].status
    if status == RegistrationStatus.CONFIRMED:
        notifications.registrations_confirmed(registrations)
    elif status == RegistrationStatus.WAITLISTED:
        notifications.waitlist_joined(registrations)
    else:
        notifications.registrations_pending(registrations)


def _invitation_waived(event: Event, actor: Actor) -> bool:
    """An organizer registering someone invites them: no access code and no approval to wait for.

    Asked only of events that have either, so a plain registration costs no query more.
    """
    if not (event.access_code_required or event.approval_required):
        return False
    return actor is not None and event_user_is_organizer(event, actor)


def _approval_request(event: Event, *, seats: int = 1) -> tuple[str, None]:
    """A registration awaiting approval holds no seat; it is refused only when approval could never give one."""
    if not event.capacity_holds(event.confirmed_count + seats) and not event.waitlist_enabled:
        raise EventFull(details={"capacity": event.capacity, "seats_left": event.seats_left})
    return RegistrationStatus.PENDING, None


def _access_code_take(event: Event, raw: object) -> AccessCode:
    """Use ``raw`` once: one conditional UPDATE, so however many register at once, no code is used beyond its limit.

    ACCESS_CODE_INVALID when the event has no such code or it is used up. Run inside the registration's
    transaction: a registration refused afterwards gives the use back with its rollback.
    """
    code = ids.typed_code_normalize(raw)
    if not code:
        raise AccessCodeInvalid(
            "This event is by invitation: enter the access code the organizers gave you.",
            details={"access_code": ["An access code is required."]},
        )
    taken = AccessCode.objects.filter(event=event, code=code, uses__lt=F("max_uses")).update(uses=F("uses") + 1)
    if not taken:
        raise AccessCodeInvalid(details={"access_code": ["Not a valid code for this event, or used up."]})
    return AccessCode.objects.get(event=event, code=code)


def _team_name_clean(raw: object) -> str:
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not name:
        raise ValidationFailed.for_field("team_name", "A team name is required.")
    if len(name) > TEAM_NAME_MAX_LENGTH:
        raise ValidationFailed.for_field("team_name", f"At most {TEAM_NAME_MAX_LENGTH} characters.")
    problems = text_errors({"team_name": (name, single_line_text)})
    if problems:
        raise ValidationFailed("The team name is not valid.", details=problems)
    return name


def _team_roster(leader: str, members: Iterable[object]) -> list[str]:
    roster = [leader]
    for position, raw in enumerate(members):
        enr = enrollment_no_normalize(raw, field_name=f"members[{position}]")
        if enr not in roster:
            roster.append(enr)
    return roster


def _team_name_taken(event: Event, name: str) -> bool:
    return (
        Team.objects.filter(event=event, status__in=LIVE_TEAM_STATUSES)
        .alias(name_ci=Lower("name"))
        .filter(name_ci=name.lower())
        .exists()
    )


def team_register(
    *,
    event: Event | str,
    team_name: str,
    leader: str,
    members: Iterable[str],
    answers: dict | None = None,
    access_code: str | None = None,
    actor: Actor = None,
) -> Team:
    """Register a whole team directly (organizers and staff: imports, walk-ins): all confirmed,
    or all waitlisted, never split.

    Students form their teams by invitation instead (``registrations.teams.team_create``): nobody
    is put in a team without saying yes. ``answers`` answer the event's questions for the leader's
    registration. Every member must be in the event's audience; an invite-only event takes one use
    of ``access_code`` for the team; with approval the whole team waits as ``pending``, holding no
    seats, until an organizer approves it.
    """
    name = _team_name_clean(team_name)
    leader_enr = enrollment_no_normalize(leader, field_name="leader")
    roster = _team_roster(leader_enr, members)
    try:
        with transaction.atomic():
            locked = event_lock(event, with_questions=True)
            now = timezone.now()  # after the lock: the times are in the order the writes happen
            ensure_organizer(actor, locked)
            _ensure_registration_open(locked, now)
            _ensure_mode(locked, Event.Mode.TEAM)
            if not locked.team_size_min <= len(roster) <= locked.team_size_max:
                raise TeamSize(
                    f"A team has {locked.team_size_min} to {locked.team_size_max} members, leader included; "
                    f"this one has {len(roster)}.",
                    details={"min": locked.team_size_min, "max": locked.team_size_max, "size": len(roster)},
                )
            known = {student.pk: student for student in Student.objects.filter(pk__in=roster)}
            missing = [enr for enr in roster if enr not in known]
            if missing:
                raise NotFound(
                    f"No student with enrollment number {', '.join(missing)}.",
                    details={"what": "student", "enrollment_nos": missing},
                )
            already = students_in_event(locked, roster)
            if already:
                raise AlreadyRegistered(
                    f"Already registered for this event: {', '.join(already)}.", details={"enrollment_nos": already}
                )
            if _team_name_taken(locked, name):
                raise TeamNameTaken(details={"team_name": name})
            answer_rows = (
                registration_answers_clean(event=locked, answers=answers) if answers or locked.asks_questions else []
            )
            for enr in roster:
                ensure_in_audience(locked, known[enr])
            invited = _invitation_waived(locked, actor)
            code = _access_code_take(locked, access_code) if locked.access_code_required and not invited else None
            if locked.approval_required and not invited:
                status, seq = _approval_request(locked, seats=len(roster))
            else:
                status, seq = _seats_claim(locked, len(roster))
            team = Team.objects.create(
                team_id=ids.new_team_id(), event=locked, name=name, leader_id=leader_enr, status=status, created_at=now
            )
            rows = [_new_registration(locked, enr, status, seq, now, team=team) for enr in roster]
            for row in rows:
                row.access_code = code
            members = Registration.objects.bulk_create(rows)
            TeamMembership.objects.bulk_create(
                [
                    TeamMembership(
                        team=team,
                        event=locked,
                        student_id=enr,
                        state=TeamMembership.State.LEADER if enr == leader_enr else TeamMembership.State.ACCEPTED,
                        invited_at=now,
                        responded_at=now,
                    )
                    for enr in roster
                ]
            )
            _answers_save(next(member for member in members if member.student_id == leader_enr), answer_rows)
            _registration_notify(members)
    except IntegrityError as exc:
        if _team_name_taken(locked, name):
            raise TeamNameTaken(details={"team_name": name}) from exc
        raise AlreadyRegistered(details={"enrollment_nos": students_in_event(locked, roster)}) from exc
    return team


def students_in_event(event: Event, enrollment_nos: Iterable[str]) -> list[str]:
    """Who of these students already holds a place in the event: an active registration, or a team
    they lead or accepted (a forming team holds no registration yet)."""
    wanted = list(enrollment_nos)
    in_teams = TeamMembership.objects.filter(
        event=event, student_id__in=wanted, state__in=IN_TEAM_STATES, team__status__in=LIVE_TEAM_STATUSES
    ).values_list("student_id", flat=True)
    return sorted(set(_active_enrollments(event, wanted)) | set(in_teams))


def team_memberships_end(teams) -> None:
    """The teams are cancelled: their members are free to join another team, their invitations lapse."""
    memberships = TeamMembership.objects.filter(team__in=teams)
    memberships.filter(state=TeamMembership.State.PENDING).update(
        state=TeamMembership.State.DECLINED, responded_at=timezone.now()
    )
    memberships.filter(state__in=IN_TEAM_STATES).update(state=TeamMembership.State.LEFT)


@dataclass
class CancelResult:
    cancelled: list[str] = field(default_factory=list)
    promoted: dict[str, str] = field(default_factory=dict)


def registration_cancel(*, event: Event | str, enrollment_no: str, actor: Actor = None) -> CancelResult:
    """Cancel a student's active registration; a team is cancelled whole. Freed seats promote the waitlist.

    A student cancels their own registration (a team only by its leader) until the event
    starts; organizers cancel any registration at any time.
    """
    enr = enrollment_no_normalize(enrollment_no)
    with transaction.atomic():
        locked = event_lock(event)
        _ensure_may_act_for(actor, locked, enr)
        registration = (
            Registration.objects.select_related("team")
            .select_for_update(of=("self",))
            .filter(event=locked, student_id=enr, status__in=CURRENT_STATUSES)
            .first()
        )
        if registration is None:
            raise NotRegistered("This student has no active registration for this event.")
        team = registration.team
        if team:
            cancelling = list(
                team.registrations.select_for_update()
                .filter(status__in=CURRENT_STATUSES)
                .order_by("registered_at", "pk")
            )
        else:
            cancelling = [registration]
        # Taken once the registrations are locked: a check-in that got there first is dated before the cancellation.
        now = timezone.now()
        if not (actor is None or event_user_is_organizer(locked, actor)):
            if team and team.leader_id != enr:
                raise PermissionDenied("Only the team leader or an organizer can cancel a team.")
            if now >= locked.starts_at:
                raise RegistrationClosed("The event has started; ask an organizer to cancel.")
        if team:
            team.status = RegistrationStatus.CANCELLED
            team.save(update_fields=["status"])
            team_memberships_end([team])
        freed = sum(1 for reg in cancelling if reg.status == RegistrationStatus.CONFIRMED)
        # The check-in code stops being a pass to the door, and a certificate no longer has a registration to
        # stand on; attendance already marked stays as history.
        Registration.objects.filter(pk__in=[reg.pk for reg in cancelling]).update(
            status=RegistrationStatus.CANCELLED, cancelled_at=now, checkin_code=None
        )
        notifications.registrations_cancelled([(reg.student_id, reg.pk) for reg in cancelling])
        for cancelled in hooks.REGISTRATIONS_CANCELLED:
            cancelled(
                event=locked, enrollment_nos=[reg.student_id for reg in cancelling], at=now, by=_actor_user(actor)
            )
        if freed:
            locked.confirmed_count -= freed
            locked.save(update_fields=["confirmed_count"])
        promoted = waitlist_promote(event=locked) if freed else {}
    return CancelResult(cancelled=[reg.pk for reg in cancelling], promoted=promoted)


ACCESS_CODES_PER_REQUEST_MAX = 500
ACCESS_CODE_USES_MAX = 10_000


def access_codes_generate(*, event: Event, count: int, max_uses: int, actor: Actor = None) -> list[AccessCode]:
    """``count`` new access codes for the event (its organizers), each good for ``max_uses`` registrations."""
    ensure_organizer(actor, event)
    errors: dict[str, list[str]] = {}
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= ACCESS_CODES_PER_REQUEST_MAX:
        errors["count"] = [f"From 1 to {ACCESS_CODES_PER_REQUEST_MAX} codes at a time."]
    if isinstance(max_uses, bool) or not isinstance(max_uses, int) or not 1 <= max_uses <= ACCESS_CODE_USES_MAX:
        errors["max_uses"] = [f"Each code is used from 1 to {ACCESS_CODE_USES_MAX} times."]
    if errors:
        raise ValidationFailed("The codes cannot be made like this.", details=errors)
    with transaction.atomic():
        taken = set(AccessCode.objects.filter(event=event).values_list("code", flat=True))
        codes: list[str] = []
        while len(codes) < count:
            code = access_code_new()
            if code not in taken:
                taken.add(code)
                codes.append(code)
        now, by = timezone.now(), _actor_user(actor)
        return AccessCode.objects.bulk_create(
            [AccessCode(event=event, code=code, max_uses=max_uses, created_by=by, created_at=now) for code in codes]
        )


def _pending_locked(registration: Registration | str, actor: Actor) -> tuple[Event, Registration, list[Registration]]:
    """The registration's event (locked, its organizers only), the registration and everyone decided with it
    (a team is decided whole), the rows locked."""
    registration_id = registration.pk if isinstance(registration, Registration) else registration
    event_id = Registration.objects.filter(pk=registration_id).values_list("event_id", flat=True).first()
    if event_id is None:
        raise NotFound.of("registration", registration_id)
    locked = event_lock(event_id)
    ensure_organizer(actor, locked)
    row = Registration.objects.select_for_update().get(pk=registration_id)
    together = (
        list(
            Registration.objects.select_for_update()
            .filter(team_id=row.team_id, status=RegistrationStatus.PENDING)
            .order_by("registered_at", "pk")
        )
        if row.team_id and row.status == RegistrationStatus.PENDING
        else [row]
    )
    return locked, row, together


def _registration_decided(event: Event, actor: Actor, action: str, rows: list[Registration], note: str = "") -> None:
    event_audit_record(
        event=event,
        actor=_actor_user(actor),
        action=action,
        before={"status": RegistrationStatus.PENDING},
        after={
            "status": rows[0].status,
            "registrations": {row.student_id: row.pk for row in rows},
        },
        note=note or ", ".join(row.student_id for row in rows),
    )


def _ensure_pending(registration: Registration, verb: str) -> None:
    if registration.status != RegistrationStatus.PENDING:
        raise ValidationFailed.for_field(
            "status",
            f"Only a registration awaiting approval can be {verb}; "
            f"this one is {registration.get_status_display().lower()}.",
        )


def registration_approve(*, registration: Registration | str, actor: Actor = None) -> Registration:
    """An organizer approves a registration awaiting approval (a team's: the whole team).

    It takes a seat if one is free at that moment (``confirmed``, with its check-in code), else the next
    waitlist place, else EVENT_FULL and it keeps waiting; the student is emailed and the audit trail
    records who approved it. Approving one already approved changes nothing.
    """
    with transaction.atomic():
        locked, row, together = _pending_locked(registration, actor)
        if row.status in ACTIVE_STATUSES:
            return row
        _ensure_pending(row, "approved")
        if locked.status == Event.Status.CANCELLED:
            raise EventCancelled()
        status, seq = _seats_claim(locked, len(together))
        for member in together:
            member.status = status
            member.waitlist_seq = seq
            member.checkin_code = ids.new_checkin_code() if status == RegistrationStatus.CONFIRMED else None
        Registration.objects.bulk_update(together, ["status", "waitlist_seq", "checkin_code"])
        if row.team_id:
            Team.objects.filter(pk=row.team_id).update(status=status)
        _registration_notify(together)
        _registration_decided(locked, actor, EventAuditEntry.Action.REGISTRATION_APPROVED, together)
    return next(member for member in together if member.pk == row.pk)


REJECTION_REASON_MAX = 2000


def registration_reject(*, registration: Registration | str, reason: str = "", actor: Actor = None) -> Registration:
    """An organizer turns down a registration awaiting approval (a team's: the whole team).

    The student is emailed, the audit trail keeps who did it and the reason; rejecting one already
    rejected changes nothing. An approved registration is cancelled instead, never rejected.
    """
    reason = (reason or "").strip()
    if len(reason) > REJECTION_REASON_MAX:
        raise ValidationFailed.for_field("reason", f"Keep the reason under {REJECTION_REASON_MAX} characters.")
    with transaction.atomic():
        locked, row, together = _pending_locked(registration, actor)
        if row.status == RegistrationStatus.REJECTED:
            return row
        _ensure_pending(row, "rejected")
        now = timezone.now()
        for member in together:
            member.status, member.cancelled_at = RegistrationStatus.REJECTED, now
        Registration.objects.bulk_update(together, ["status", "cancelled_at"])
        if row.team_id:
            Team.objects.filter(pk=row.team_id).update(status=RegistrationStatus.REJECTED)
            team_memberships_end([row.team_id])  # its members are free to form or join another team
        notifications.registrations_rejected(together)
        _registration_decided(locked, actor, EventAuditEntry.Action.REGISTRATION_REJECTED, together, reason)
    return next(member for member in together if member.pk == row.pk)


def event_change_fits_registrations(*, event: Event, changed: set[str]) -> dict[str, list[str]]:
    """What an edit of ``event`` would break among its registrations and teams (``events.hooks``)."""
    errors: dict[str, list[str]] = {}
    if "registration_mode" in changed:
        registered_otherwise = (
            Q(team__isnull=False) if event.registration_mode == Event.Mode.INDIVIDUAL else Q(team=None)
        )
        if Registration.objects.filter(registered_otherwise, event=event, status__in=CURRENT_STATUSES).exists():
            errors["registration_mode"] = ["Students are registered in the other mode; cancel them first."]
    if changed & {"team_size_min", "team_size_max"}:
        sizes = (
            Team.objects.filter(event=event, status__in=CURRENT_STATUSES)
            .annotate(size=Count("registrations", filter=Q(registrations__status__in=CURRENT_STATUSES)))
            .aggregate(smallest=Min("size"), largest=Max("size"))
        )
        if sizes["smallest"] is not None and sizes["smallest"] < event.team_size_min:
            errors["team_size_min"] = [f"A registered team has only {sizes['smallest']} members."]
        if sizes["largest"] is not None and sizes["largest"] > event.team_size_max:
            errors["team_size_max"] = [f"A registered team has {sizes['largest']} members."]
    return errors


def event_registrations_cancel(*, event: Event) -> None:
    """``event`` (locked) is being cancelled: every registrant is told, every active registration and
    team, and every one awaiting approval, is cancelled (``events.hooks``)."""
    notifications.event_cancelled(event)
    Registration.objects.filter(event=event, status__in=CURRENT_STATUSES).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now(), checkin_code=None
    )
    teams = Team.objects.filter(event=event, status__in=LIVE_TEAM_STATUSES)
    team_memberships_end(teams)
    teams.update(status=RegistrationStatus.CANCELLED)


def waitlist_promote(*, event: Event) -> dict[str, str]:
    """Fill free seats from the waitlist in order; returns ``{enrollment_no: registration_id}`` promoted.

    Must run inside a transaction holding the event's row lock. A waitlisted team is
    promoted only when all of it fits; a team that does not fit keeps its place while
    smaller entries behind it take the seats that are free.
    """
    free = None if event.capacity is None else event.capacity - event.confirmed_count
    if free is not None and free <= 0:
        return {}
    waiting = (
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
        .order_by("waitlist_seq", "registered_at", "registration_id")
        .values_list("registration_id", "student_id", "team_id", "waitlist_seq")
    )
    smallest_entry = event.team_size_min if event.is_team_event else 1
    promoted: dict[str, str] = {}
    promoted_teams: list[str] = []
    # A team's members share one waitlist place, so they come out of the ordered rows together.
    entries = groupby(waiting.iterator(chunk_size=500), key=lambda row: (row[2], row[2] or row[0], row[3]))
    for (team_id, _, _), rows in entries:
        if free is not None and free < smallest_entry:
            break
        members = [(registration_id, enrollment_no) for registration_id, enrollment_no, _, _ in rows]
        if free is not None and len(members) > free:
            continue
        promoted.update({enrollment_no: registration_id for registration_id, enrollment_no in members})
        if team_id:
            promoted_teams.append(team_id)
        if free is not None:
            free -= len(members)
    if not promoted:
        return {}
    rows = [
        Registration(
            registration_id=registration_id, status=RegistrationStatus.CONFIRMED, checkin_code=ids.new_checkin_code()
        )
        for registration_id in promoted.values()
    ]
    Registration.objects.bulk_update(rows, ["status", "checkin_code"])
    Team.objects.filter(pk__in=promoted_teams).update(status=RegistrationStatus.CONFIRMED)
    event.confirmed_count += len(promoted)
    event.save(update_fields=["confirmed_count"])
    notifications.waitlist_promoted(promoted)
    return promoted


def registration_promote(
    *, event: Event | str, registration_id: str, add_seats: bool = False, actor: Actor = None
) -> dict[str, str]:
    """An organizer seats a waitlisted registration (its whole team) ahead of its turn.

    Returns ``{enrollment_no: registration_id}`` promoted. Never beyond the capacity: without
    enough free seats it is EVENT_FULL, unless ``add_seats`` raises the capacity by what is
    missing (an audited capacity change, the organizer's explicit choice).
    """
    with transaction.atomic():
        locked = event_lock(event)
        ensure_organizer(actor, locked)
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("team")
            .filter(event=locked, pk=registration_id)
            .first()
        )
        if registration is None:
            raise NotFound.of("registration", registration_id)
        if registration.status != RegistrationStatus.WAITLISTED:
            raise NotRegistered(
                "Only a registration on the waitlist can be promoted.", details={"status": registration.status}
            )
        team = registration.team
        members = (
            list(team.registrations.select_for_update().filter(status=RegistrationStatus.WAITLISTED))
            if team
            else [registration]
        )
        missing = locked.seats_missing(len(members))
        if missing > 0:
            if not add_seats:
                raise EventFull(
                    f"No seat is free for {'this team' if team else 'this student'}: add "
                    f"{missing} seat{'s' if missing != 1 else ''} or cancel a registration first.",
                    details={"capacity": locked.capacity, "seats_left": locked.seats_left, "needed": len(members)},
                )
            event_audit_record(
                event=locked,
                actor=_actor_user(actor),
                action=EventAuditEntry.Action.CAPACITY_CHANGED,
                before={"capacity": locked.capacity},
                after={"capacity": locked.capacity + missing},
                note=f"Seats added to promote {registration.student_id} from the waitlist.",
            )
            locked.capacity += missing
        for member in members:
            member.status = RegistrationStatus.CONFIRMED
            member.checkin_code = ids.new_checkin_code()
        Registration.objects.bulk_update(members, ["status", "checkin_code"])
        if team:
            team.status = RegistrationStatus.CONFIRMED
            team.save(update_fields=["status"])
        locked.confirmed_count += len(members)
        locked.save(update_fields=["confirmed_count", "capacity"])
        promoted = {member.student_id: member.pk for member in members}
        notifications.waitlist_promoted(promoted)
    return promoted


# Attendance


def _confirmed_registration(event: Event, enrollment_no: str) -> Registration:
    registration = Registration.objects.filter(
        event=event, student_id=enrollment_no, status__in=CURRENT_STATUSES
    ).first()
    if registration is not None and registration.status == RegistrationStatus.PENDING:
        raise PendingApproval(
            "This registration is still waiting for the organizers' approval.", details={"enrollment_no": enrollment_no}
        )
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise NotRegistered(details={"enrollment_no": enrollment_no})
    return registration


def _session_resolve(event: Event, code: str | None, at: datetime) -> EventSession:
    if not code:
        return event_session_current(event, at)
    session = EventSession.objects.filter(event=event, code=code.strip()).first()
    if session is None:
        raise NotFound.of("session", code)
    return session


def _end_of_day(moment: datetime) -> datetime:
    """The first instant of the next day, in the site's time zone."""
    day = timezone.localdate(moment) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


def attendance_window(*, event: Event, session: EventSession, is_last: bool | None = None) -> tuple[datetime, datetime]:
    """When check-in for a session is open: ``[opens, closes)``.

    It opens ``CHECKIN_OPENS_MINUTES`` before the session starts (a session without a start time
    starts with the event) and closes at the end of that day in the site's time zone; the event's
    last session stays open to the end of the day the event ends (an overnight hackathon).
    ``is_last`` may be given by callers that already hold the event's sessions.
    """
    starts = session.starts_at or event.starts_at
    opens = starts - timedelta(minutes=settings.CHECKIN_OPENS_MINUTES)
    closes = _end_of_day(starts)
    if event.ends_at and event.ends_at >= closes:
        if is_last is None:
            is_last = not EventSession.objects.filter(event_id=event.pk, position__gt=session.position).exists()
        if is_last:
            closes = _end_of_day(event.ends_at)
    return opens, closes


def _ensure_checkin_open(event: Event, session: EventSession, at: datetime, is_last: bool | None = None) -> None:
    opens, closes = attendance_window(event=event, session=session, is_last=is_last)
    if not opens <= at < closes:
        local = timezone.localtime
        raise CheckinNotOpen(
            f"Check-in for {session} is open from {local(opens):%d %b %H:%M} to {local(closes):%d %b %H:%M}.",
            details={
                "session": session.code,
                "opens_at": local(opens).isoformat(),
                "closes_at": local(closes).isoformat(),
            },
        )


def attendance_mark(
    *,
    event: Event,
    enrollment_no: str | None = None,
    checkin_code: str | None = None,
    session: str | None = None,
    actor: Actor = None,
    method: str | None = None,
    at: datetime | None = None,
) -> tuple[Attendance, bool]:
    """Check a confirmed student in for a session, by enrollment number or check-in code.

    Returns ``(attendance, created)``; a second scan of the same student for the same
    session returns the existing attendance. The check-in is judged at ``at``, which must
    fall in the session's window: now by default; the moment an offline scan was made (the
    batch never passes one in the future); a moment of the past or of a planned session for
    history and fixtures, which say so with their ``method``.
    ``method`` defaults to ``scan`` for a code and ``manual`` for an enrollment number.
    """
    _ensure_may_check_in(actor, event)
    at = at or timezone.now()
    if event.status == Event.Status.CANCELLED:
        raise EventCancelled()
    if checkin_code is not None and not isinstance(checkin_code, str):
        raise ValidationFailed.for_field("checkin_code", "A check-in code is text.")
    if not checkin_code and not enrollment_no:
        raise ValidationFailed(
            "Give an enrollment number or a check-in code.",
            details={"enrollment_no": ["Give an enrollment number or a check-in code."]},
        )
    method = method or (Attendance.Method.SCAN if checkin_code else Attendance.Method.MANUAL)
    if method not in Attendance.Method.values:
        raise ValidationFailed.for_field("method", f"The method is one of {', '.join(Attendance.Method.values)}.")
    enr = None if checkin_code else enrollment_no_normalize(enrollment_no)
    # The registration's row lock keeps a cancellation from slipping in between the check and the write.
    with transaction.atomic():
        registrations = Registration.objects.select_for_update().filter(event=event)
        if checkin_code:
            code = ids.typed_code_normalize(checkin_code)
            registration = registrations.filter(checkin_code=code).first()
            if registration is None:
                raise NotFound("No registration has this check-in code.", details={"what": "registration"})
            if registration.status != RegistrationStatus.CONFIRMED:
                raise NotRegistered("This check-in code belongs to a registration that is not confirmed.")
        else:
            registration = registrations.filter(student_id=enr, status=RegistrationStatus.CONFIRMED).first()
            if registration is None:
                _confirmed_registration(event, enr)  # says why: awaiting approval, or not registered
                raise NotRegistered(details={"enrollment_no": enr})
        target = _session_resolve(event, session, at)
        existing = Attendance.objects.filter(session=target, student_id=registration.student_id).first()
        if existing is not None:
            return existing, False
        _ensure_checkin_open(event, target, at)
        attendance = _new_attendance(event, registration, target, at, actor, method)
        try:
            with transaction.atomic():
                attendance.save(force_insert=True)
        except IntegrityError:
            return Attendance.objects.get(session=target, student_id=registration.student_id), False
    return attendance, True


def _new_attendance(
    event: Event, registration: Registration, session: EventSession, at: datetime, actor: Actor, method: str
) -> Attendance:
    """The student's check-in for the session, marked by ``actor``: a login, or a volunteer's scanner link."""
    return Attendance(
        attendance_id=ids.new_attendance_id(),
        event=event,
        student_id=registration.student_id,
        registration=registration,
        session=session,
        marked_at=at,
        marked_by=_actor_user(actor),
        scanner_link=getattr(actor, "scanner_link", None),
        method=method,
    )


# Self check-in: a projector shows a QR code that changes every SELF_CHECKIN_STEP seconds

SELF_CHECKIN_STEP = 20
SELF_CHECKIN_VALID = 60  # seconds from the moment a code first appears


def _self_checkin_signature(event_id: str, step: int) -> str:
    message = f"self-checkin:{event_id}:{step}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:20]


def self_checkin_token(*, event: Event, at: datetime | None = None) -> str:
    """The code on the projector now: its time step and an HMAC of the event and that step."""
    step = int((at or timezone.now()).timestamp()) // SELF_CHECKIN_STEP
    return f"{step}-{_self_checkin_signature(event.pk, step)}"


def attendance_self_mark(*, event: Event, token: str, actor: Actor) -> tuple[Attendance, bool]:
    """A logged-in student checks themself in with the code they scanned from the projector,
    within SELF_CHECKIN_VALID seconds of its first showing and for this event only."""
    enrollment_no = _actor_enrollment_no(actor)
    if enrollment_no is None:
        raise NotAuthenticated("Log in as a student to check yourself in.")
    step_text, _, signature = (token or "").partition("-")
    now = timezone.now()
    if not (step_text.isdigit() and hmac.compare_digest(signature, _self_checkin_signature(event.pk, int(step_text)))):
        raise ValidationFailed.for_field("code", "This code is not this event's check-in code.")
    shown_at = int(step_text) * SELF_CHECKIN_STEP
    if not shown_at <= now.timestamp() < shown_at + SELF_CHECKIN_VALID:
        raise ValidationFailed.for_field("code", "This code has expired: scan the one on the screen now.")
    with transaction.atomic():
        attendance, created = attendance_mark(
            event=event, enrollment_no=enrollment_no, method=Attendance.Method.SELF, at=now
        )
        if created:
            attendance.marked_by = _actor_user(actor)
            attendance.save(update_fields=["marked_by"])
    return attendance, created


# The door: scanner links and batches of scans

SCANNER_LINK_LABEL_MAX_LENGTH = 100
SCAN_BATCH_MAX = 1000


def scanner_link_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _scanner_link_token_for(link_id: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"scanner-link:{link_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def scanner_link_token(link: ScannerLink) -> str | None:
    """The link's token, derived from its id and the secret key, so that its organizers can show it as a QR
    code again while the database keeps only its hash; None for a link whose token was not derived so."""
    token = _scanner_link_token_for(link.pk)
    return token if hmac.compare_digest(scanner_link_token_hash(token), link.token_hash) else None


def scanner_link_create(
    *, event: Event, label: str, expires_at: datetime | None = None, actor: Actor = None
) -> tuple[ScannerLink, str]:
    """A new link for a volunteer at the door; returns it with its token, which is shown once
    and stored only as a hash. It expires at ``expires_at`` (default: the end of the day the
    event ends)."""
    ensure_organizer(actor, event)
    label = (label or "").strip() if isinstance(label, str) else ""
    if not label or len(label) > SCANNER_LINK_LABEL_MAX_LENGTH or any(ord(ch) < 32 for ch in label):
        raise ValidationFailed.for_field("label", "Give the link a name of at most 100 characters, such as “Gate 2”.")
    now = timezone.now()
    expires_at = expires_at or _end_of_day(event.ends_at)
    if expires_at <= now:
        raise ValidationFailed.for_field("expires_at", "The link must expire in the future.")
    link = ScannerLink(event=event, label=label, created_by=_actor_user(actor), created_at=now, expires_at=expires_at)
    link.token_hash = scanner_link_token_hash(_scanner_link_token_for(link.pk))
    link.save(force_insert=True)
    return link, _scanner_link_token_for(link.pk)


def scanner_link_revoke(*, event: Event, link_id: str, actor: Actor = None) -> ScannerLink:
    """Revoke at once: the phone holding the link is refused at its next request."""
    ensure_organizer(actor, event)
    with transaction.atomic():
        link = ScannerLink.objects.select_for_update().filter(event=event, pk=link_id).first()
        if link is None:
            raise NotFound.of("scanner_link", link_id)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
    return link


@dataclass(frozen=True)
class ScanIn:
    scan_id: str
    scanned_at: datetime
    checkin_code: str = ""
    enrollment_no: str = ""
    session: str = ""


@dataclass(frozen=True)
class ScanResult:
    scan_id: str
    status: str
    code: str = ""
    attendance_id: str | None = None
    enrollment_no: str = ""


def _scan_session(sessions: list[EventSession], code: str, at: datetime) -> EventSession:
    if code:
        for session in sessions:
            if session.code == code.strip():
                return session
        raise NotFound.of("session", code)
    if not sessions:
        raise NotFound.of("session")
    started = [session for session in sessions if session.starts_at and session.starts_at <= at]
    return started[-1] if started else sessions[0]


def attendance_batch_record(*, event: Event, scans: list[ScanIn], actor: Actor = None) -> list[ScanResult]:
    """Record scans made at the door, offline or not, each judged at the moment it was made
    (never in the future) by the rules of ``attendance_mark``.

    A scan sent again (same ``scan_id``) answers what it answered the first time, so a phone
    may resend its whole queue; two phones scanning the same student count them once. The
    whole batch is one transaction under the event's lock: a fixed number of queries.
    """
    _ensure_may_check_in(actor, event)
    if len(scans) > SCAN_BATCH_MAX:
        raise ValidationFailed.for_field("scans", f"Send at most {SCAN_BATCH_MAX} scans at a time.")
    user, link = _actor_user(actor), getattr(actor, "scanner_link", None)
    now = timezone.now()
    with transaction.atomic():
        event = event_lock(event)
        decided = {
            row.scan_id: ScanResult(row.scan_id, row.status, row.code, row.attendance_id, row.enrollment_no)
            for row in CheckinScan.objects.filter(event=event, scan_id__in={scan.scan_id for scan in scans})
        }
        fresh = [scan for scan in scans if scan.scan_id not in decided]
        sessions = list(EventSession.objects.filter(event=event).order_by("position", "id"))
        last_session = sessions[-1].pk if sessions else None
        codes = {ids.typed_code_normalize(scan.checkin_code) for scan in fresh if scan.checkin_code}
        numbers = {scan.enrollment_no.strip().upper() for scan in fresh if not scan.checkin_code and scan.enrollment_no}
        registrations = list(
            Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
            .filter(Q(checkin_code__in=codes) | Q(student_id__in=numbers))
            .only("registration_id", "student_id", "status", "checkin_code")
        )
        by_code = {r.checkin_code: r for r in registrations if r.checkin_code}
        by_number = {r.student_id: r for r in registrations}
        marked = {
            (session_id, student_id): attendance_id
            for session_id, student_id, attendance_id in Attendance.objects.filter(
                event=event, student_id__in=by_number
            ).values_list("session_id", "student_id", "attendance_id")
        }
        new: dict[str, Attendance] = {}
        results: list[ScanResult] = []
        for scan in scans:
            if scan.scan_id in decided:
                results.append(decided[scan.scan_id])
                continue
            at = min(scan.scanned_at, now)
            try:
                if event.status == Event.Status.CANCELLED:
                    raise EventCancelled()
                if scan.checkin_code:
                    registration = by_code.get(ids.typed_code_normalize(scan.checkin_code))
                    if registration is None:
                        raise NotFound("No registration has this check-in code.", details={"what": "registration"})
                else:
                    registration = by_number.get(enrollment_no_normalize(scan.enrollment_no))
                if registration is None or registration.status != RegistrationStatus.CONFIRMED:
                    raise NotRegistered()
                session = _scan_session(sessions, scan.session, at)
                key = (session.pk, registration.student_id)
                if key in marked:
                    result = ScanResult(
                        scan.scan_id, CheckinScan.Status.ALREADY_MARKED, "", marked[key], registration.student_id
                    )
                else:
                    _ensure_checkin_open(event, session, at, is_last=session.pk == last_session)
                    attendance = _new_attendance(event, registration, session, at, actor, Attendance.Method.OFFLINE)
                    new[attendance.pk] = attendance
                    marked[key] = attendance.pk
                    result = ScanResult(
                        scan.scan_id, CheckinScan.Status.MARKED, "", attendance.pk, registration.student_id
                    )
            except DomainError as refused:
                result = ScanResult(scan.scan_id, CheckinScan.Status.REFUSED, refused.code)
            decided[scan.scan_id] = result
            results.append(result)
        # A single check-in (attendance_mark) may have written one of these since they were read.
        Attendance.objects.bulk_create(new.values(), ignore_conflicts=True)
        written = set(Attendance.objects.filter(pk__in=list(new)).values_list("pk", flat=True))
        if len(written) < len(new):
            lost = [attendance for pk, attendance in new.items() if pk not in written]
            winners = {
                (session_id, student_id): pk
                for session_id, student_id, pk in Attendance.objects.filter(
                    event=event, student_id__in={a.student_id for a in lost}
                ).values_list("session_id", "student_id", "attendance_id")
            }
            replaced = {a.pk: winners[(a.session_id, a.student_id)] for a in lost}
            results = [
                ScanResult(r.scan_id, CheckinScan.Status.ALREADY_MARKED, "", replaced[r.attendance_id], r.enrollment_no)
                if r.attendance_id in replaced
                else r
                for r in results
            ]
        fresh_ids = {scan.scan_id for scan in fresh}
        stored = {}
        for scan, result in zip(scans, results, strict=True):
            if scan.scan_id in stored or scan.scan_id not in fresh_ids:
                continue
            stored[scan.scan_id] = CheckinScan(
                event=event,
                scan_id=scan.scan_id,
                status=result.status,
                code=result.code,
                attendance_id=result.attendance_id,
                enrollment_no=result.enrollment_no,
                scanned_at=scan.scanned_at,
                received_at=now,
                scanner_link=link,
                sent_by=user,
            )
        CheckinScan.objects.bulk_create(stored.values())
    return results


# Feedback


def _rating_clean(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed.for_field("rating", "The rating is a whole number from 1 to 5.")
    return rating


def _answer_clean(question: FeedbackQuestion, value: object) -> FeedbackAnswer | None:
    """The answer row for one question, or None when an optional question is left blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if question.required:
            raise ValueError("This question needs an answer.")
        return None
    if question.kind == FeedbackQuestion.Kind.RATING:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValueError("The rating is a whole number from 1 to 5.")
        return FeedbackAnswer(question=question, rating=value)
    if not isinstance(value, str):
        raise ValueError("The answer is text.")
    text = value.strip()
    if len(text) > FeedbackAnswer.TEXT_MAX_LENGTH:
        raise ValueError(f"At most {FeedbackAnswer.TEXT_MAX_LENGTH} characters.")
    for messages in text_errors({"text": (text, multiline_text)}).values():
        raise ValueError(messages[0])
    return FeedbackAnswer(question=question, text=text)


def question_field_name(question_id: int | str) -> str:
    """The key under which a question's errors appear in VALIDATION_ERROR details."""
    return f"question_{question_id}"


def _answers_clean(event: Event, answers: dict | None) -> list[FeedbackAnswer]:
    """Validate answers to the event's feedback questions; every problem is reported, keyed per question."""
    questions = {question.pk: question for question in FeedbackQuestion.objects.filter(event=event)}
    given: dict[int, object] = {}
    errors: dict[str, list[str]] = {}
    for raw_key, value in (answers or {}).items():
        key = str(raw_key).strip()
        question_id = int(key) if key.isdigit() else None
        if question_id not in questions:
            errors[question_field_name(key)] = ["This event's feedback form has no such question."]
            continue
        given[question_id] = value
    rows: list[FeedbackAnswer] = []
    for question_id, question in questions.items():
        try:
            row = _answer_clean(question, given.get(question_id))
        except ValueError as exc:
            errors[question_field_name(question_id)] = [str(exc)]
            continue
        if row is not None:
            rows.append(row)
    if errors:
        raise ValidationFailed("Some answers are not valid.", details=errors)
    return rows


def feedback_submit(
    *,
    event: Event,
    enrollment_no: str,
    rating: int,
    comments: str = "",
    answers: dict[int | str, object] | None = None,
    actor: Actor = None,
) -> Feedback:
    """Record a confirmed, attended student's one feedback for the event.

    ``answers`` maps the event's feedback question ids to a rating (1..5) or a text;
    required questions must be answered, optional ones may be left out or blank.
    """
    enr = enrollment_no_normalize(enrollment_no)
    _ensure_may_act_for(actor, event, enr)
    rating = _rating_clean(rating)
    comments = (comments or "").strip()
    if len(comments) > Feedback.COMMENTS_MAX_LENGTH:
        raise ValidationFailed.for_field("comments", f"At most {Feedback.COMMENTS_MAX_LENGTH} characters.")
    problems = text_errors({"comments": (comments, multiline_text)})
    if problems:
        raise ValidationFailed("The comments are not valid.", details=problems)
    answer_rows = _answers_clean(event, answers)
    registration = _confirmed_registration(event, enr)
    if not Attendance.objects.filter(event=event, student_id=enr).exists():
        raise NotAttended()
    if Feedback.objects.filter(event=event, student_id=enr).exists():
        raise FeedbackAlreadySubmitted()
    feedback = Feedback(
        feedback_id=ids.new_feedback_id(),
        event=event,
        student_id=enr,
        registration=registration,
        rating=rating,
        comments=comments,
        submitted_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            feedback.save(force_insert=True)
            for row in answer_rows:
                row.feedback = feedback
            FeedbackAnswer.objects.bulk_create(answer_rows)
    except IntegrityError as exc:
        raise FeedbackAlreadySubmitted() from exc
    return feedback


# Calendar feed


def student_calendar_token_rotate(*, student: Student, actor: Actor = None) -> str:
    """Give the student a new calendar feed URL; the old one stops working at once."""
    if actor is not None and _actor_enrollment_no(actor) != student.enrollment_no and not actor.is_staff:
        raise PermissionDenied("You may rotate only your own calendar link.")
    student.calendar_token = ids.new_calendar_token()
    student.save(update_fields=["calendar_token", "updated_at"])
    return student.calendar_token
