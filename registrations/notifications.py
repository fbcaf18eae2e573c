"""Emails to students: owed in the transaction that causes them, sent from the outbox.

The services call the functions at the top (``registrations_confirmed`` and the rest) at the
point where the fact changes. Each writes one ``Notification`` row per student in the
caller's transaction, so a rolled-back change owes nothing and a committed one owes exactly
one email per student.

``deliver`` sends what is owed. It claims due rows (rows another sender holds are skipped),
renders each message from the rows as they are now, sends the batch over one connection and
records, message by message, whether it was sent, skipped (no email address, or the fact no
longer holds: a confirmation for a registration since cancelled) or is to be retried later
with a growing delay. Who calls it is the ``NOTIFICATIONS_SENDER`` setting: the process that
made the change, right after its commit, or the ``send_notifications`` worker.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as database
from django.db import transaction
from django.db.models import CharField, DateTimeField, F, IntegerField, QuerySet, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from registrations.models import (
    CURRENT_STATUSES,
    Notification,
    Registration,
    RegistrationStatus,
    Student,
    Team,
)
from registrations.verification import signup_link_token

logger = logging.getLogger(__name__)

Kind = Notification.Kind
State = Notification.State

# A claimed row comes due again after this if its sender dies before recording the outcome.
CLAIM_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


# Owing: called by the services inside their transactions.


def owe(kind: str, pairs: Iterable[tuple[str, str]]) -> None:
    """Write one notification per (enrollment number, object id); sent after the commit in "request" mode."""
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(kind=kind, student_id=enrollment_no, object_id=object_id, created_at=now, next_attempt_at=now)
            for enrollment_no, object_id in pairs
        ]
    )
    deliver_after_commit([row.pk for row in rows])


def owe_each(
    kind: str,
    recipients: QuerySet,
    *,
    student: str,
    object_id: str | None = None,
    about: str | None = None,
    due_at: datetime | None = None,
) -> int:
    """Owe one email per row of ``recipients`` in one INSERT ... SELECT, however many rows; how many were written.

    ``student`` names the rows' enrollment number field, ``object_id`` their field holding what the
    email is about, or ``about`` gives one id for all. A scheduled email (``due_at``) becomes due
    then and is written at most once per student, object and time: rows already owed are passed
    over (``notification_scheduled_once``), so schedulers may run as often and as many as they like.
    These rows are left to the worker (``send_notifications``): a request never sends a thousand emails.
    """
    now = timezone.now()
    about_value = F(object_id) if object_id else Value(about, output_field=CharField())
    columns = {
        "kind": Value(kind, output_field=CharField()),
        "enrollment_no": F(student),
        "object_id": about_value,
        "state": Value(State.PENDING, output_field=CharField()),
        "attempts": Value(0, output_field=IntegerField()),
        "created_at": Value(now, output_field=DateTimeField()),
        "next_attempt_at": Value(max(due_at or now, now) if due_at else now, output_field=DateTimeField()),
        "last_error": Value("", output_field=CharField()),
        "due_at": Value(due_at, output_field=DateTimeField()),
    }
    names = {column: f"owed_{column}" for column in columns}
    select = (
        recipients.order_by()
        .filter(pk__isnull=False)  # a WHERE clause: SQLite reads "ON CONFLICT" after a bare join as a join constraint
        .annotate(**{names[column]: expression for column, expression in columns.items()})
        .values_list(*names.values())
    )
    sql, params = select.query.sql_with_params()
    with database.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} ({', '.join(columns)}) {sql} ON CONFLICT DO NOTHING", params
        )
        return max(cursor.rowcount, 0)


# Kinds owed and rendered by higher layers (reminders, announcements ...): they register here.


@dataclass(frozen=True)
class KindRenderer:
    """How to send one kind: ``load`` reads what a batch's notifications of the kind are about (a
    fixed number of queries), ``build`` makes one message from it, or says why it is no longer owed."""

    load: Callable[[list[Notification]], Any]
    build: Callable[["Batch", Notification, Any], "EmailMultiAlternatives | str"]


_renderers: dict[str, KindRenderer] = {}
_schedulers: list[Callable[[datetime], int]] = []


def register_kind(kind: str, renderer: KindRenderer) -> None:
    _renderers[kind] = renderer


def register_scheduler(scheduler: Callable[[datetime], int]) -> None:
    """``scheduler(now)`` owes the scheduled emails coming due soon (``owe_each`` with ``due_at``); how many."""
    if scheduler not in _schedulers:
        _schedulers.append(scheduler)


def schedule_due(now: datetime | None = None) -> int:
    """Run every registered scheduler once; how many emails they owed. The worker calls this."""
    now = now or timezone.now()
    return sum(scheduler(now) for scheduler in _schedulers)


def deliver_after_commit(ids: list[int]) -> None:
    if ids and settings.NOTIFICATIONS_SENDER == "request":
        transaction.on_commit(lambda: deliver(ids=ids), robust=True)


def registrations_confirmed(registrations: Iterable[Registration]) -> None:
    """Tell each student their seat is confirmed, with their check-in code."""
    owe(Kind.REGISTRATION_CONFIRMED, [(r.student_id, r.pk) for r in registrations])


def waitlist_promoted(promoted: dict[str, str]) -> None:
    """Tell each student (``{enrollment_no: registration_id}``) they moved from the waitlist to a seat."""
    owe(Kind.WAITLIST_PROMOTED, promoted.items())


def waitlist_joined(registrations: Iterable[Registration]) -> None:
    """Tell each student they are on the waitlist; the email gives their place as it is when sent."""
    owe(Kind.WAITLIST_JOINED, [(r.student_id, r.pk) for r in registrations])


def registrations_pending(registrations: Iterable[Registration]) -> None:
    """Tell each student their registration was received and waits for the organizers' approval."""
    owe(Kind.REGISTRATION_PENDING, [(r.student_id, r.pk) for r in registrations])


def registrations_rejected(registrations: Iterable[Registration]) -> None:
    """Tell each student the organizers did not approve their registration."""
    owe(Kind.REGISTRATION_REJECTED, [(r.student_id, r.pk) for r in registrations])


def registrations_cancelled(cancelled: Iterable[tuple[str, str]]) -> None:
    """Tell each student (``(enrollment_no, registration_id)``) that their registration was cancelled."""
    owe(Kind.REGISTRATION_CANCELLED, cancelled)


def team_invited(team_id: str, enrollment_nos: Iterable[str]) -> None:
    """Invite these students to join a team (the leader's invitation; the team work calls it)."""
    owe(Kind.TEAM_INVITATION, [(enrollment_no, team_id) for enrollment_no in enrollment_nos])


def event_cancelled(event: Event) -> None:
    """Tell every registrant (confirmed, waitlisted or awaiting approval) that the event is cancelled.

    The recipients are read now, inside the cancelling transaction, so that whatever the
    cancellation does to the registrations afterwards, the people who held a place are told.
    """
    registrants = (
        Registration.objects.filter(event=event, status__in=CURRENT_STATUSES)
        .order_by("registered_at", "pk")
        .values_list("student_id", flat=True)
    )
    owe(Kind.EVENT_CANCELLED, [(enrollment_no, event.pk) for enrollment_no in registrants])


def signup_verification(student: Student, user: User) -> None:
    """Send the link that proves the sign-up's address (to the student's email, the login's own)."""
    owe(Kind.SIGNUP_VERIFICATION, [(student.pk, str(user.pk))])


def send_again(ids: Iterable[int]) -> int:
    """Make these notifications due now with a fresh set of attempts, whatever became of them; how many."""
    ids = list(ids)
    queued = Notification.objects.filter(pk__in=ids).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now(), sent_at=None, last_error=""
    )
    deliver_after_commit(ids)
    return queued


# Sending: after the commit, or in the worker.


@dataclass
class Delivery:
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.skipped + self.retrying + self.failed

    def __iadd__(self, other: "Delivery") -> "Delivery":
        self.sent += other.sent
        self.skipped += other.skipped
        self.retrying += other.retrying
        self.failed += other.failed
        return self


def _claim(ids: list[int] | None, limit: int) -> list[Notification]:
    """Take due notifications for this sender: each gets a lease no other sender waits out.

    Given ids (the rows a request just wrote), one conditional UPDATE claims those still due and
    the lease's timestamp tells which they were. Otherwise up to ``limit`` due rows are picked
    under ``SKIP LOCKED``, so concurrent senders take different ones.
    """
    now = timezone.now()
    lease = now + CLAIM_LEASE
    due = Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        due.filter(pk__in=ids).update(next_attempt_at=lease)
        claimed = Notification.objects.filter(pk__in=ids, state=State.PENDING, next_attempt_at=lease)
    else:
        with transaction.atomic():
            due = due.select_for_update(skip_locked=True).order_by("next_attempt_at", "id")
            pks = list(due.values_list("pk", flat=True)[:limit])
            Notification.objects.filter(pk__in=pks).update(next_attempt_at=lease)
        claimed = Notification.objects.filter(pk__in=pks)
    return list(claimed.select_related("student").order_by("id"))


def one_line(text: str, limit: int = 200) -> str:
    """Text fit for a header: whitespace (CR and LF included) collapsed, control characters dropped, bounded."""
    cleaned = " ".join("".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def compose(
    template: str,
    subject: str,
    context: dict,
    to: str,
    *,
    headers: dict[str, str] | None = None,
    attachments: Iterable[Any] = (),
) -> EmailMultiAlternatives:
    """One email in plain text and HTML from ``email/<template>.txt`` and ``.html``."""
    context = {**context, "site_url": settings.SITE_URL, "college_name": settings.COLLEGE_NAME}
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string(f"email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    for attachment in attachments:
        message.attach(attachment)
    return message


NO_ADDRESS = "The student has no email address."
NO_LONGER_SO = (
    "No longer so: the registration's status changed, the certificate was revoked, the team was cancelled, "
    "the event is not cancelled or the sign-up was already verified."
)


class Batch:
    """What a batch of notifications is about, one query per kind, and each event's shared parts rendered once."""

    def __init__(self, notifications: list[Notification]) -> None:
        wanted: dict[str, set[str]] = {}
        for notification in notifications:
            wanted.setdefault(notification.kind, set()).add(notification.object_id)
        registration_ids = set().union(*(wanted.get(kind, set()) for kind in _ABOUT_A_REGISTRATION))
        self.registrations = Registration.objects.select_related("event", "team").in_bulk(list(registration_ids))
        self.events = Event.objects.in_bulk(list(wanted.get(Kind.EVENT_CANCELLED, [])))
        self.teams = Team.objects.select_related("event", "leader").in_bulk(list(wanted.get(Kind.TEAM_INVITATION, [])))
        self.waitlist_places = self._waitlist_places(
            {r.event_id for r in self.registrations.values() if r.status == RegistrationStatus.WAITLISTED}
        )
        self.loaded = {
            kind: _renderers[kind].load([n for n in notifications if n.kind == kind])
            for kind in wanted
            if kind in _renderers
        }
        logins = [int(pk) for pk in wanted.get(Kind.SIGNUP_VERIFICATION, []) if pk.isdigit()]
        self.logins = {str(pk): user for pk, user in User.objects.in_bulk(logins).items()}
        self._parts: dict[str, dict] = {}

    @staticmethod
    def _waitlist_places(event_ids: set[str]) -> dict[tuple[str, int], int]:
        """``(event_id, waitlist_seq) -> 1-based place`` as the waitlists stand now, teams one entry each."""
        seqs = (
            Registration.objects.filter(event_id__in=event_ids, status=RegistrationStatus.WAITLISTED)
            .order_by("event_id", "waitlist_seq")
            .values_list("event_id", "waitlist_seq")
            .distinct()
        )
        places: dict[tuple[str, int], int] = {}
        counted: dict[str, int] = {}
        for event_id, seq in seqs:
            counted[event_id] = counted.get(event_id, 0) + 1
            places[(event_id, seq)] = counted[event_id]
        return places

    def about(self, event: Event) -> dict:
        """What every message about this event shows: rendered once per event, not once per student."""
        if event.pk not in self._parts:
            context = {"event": event}
            self._parts[event.pk] = {
                "event": event,
                "event_facts_txt": render_to_string("email/_event_facts.txt", context),
                "event_facts_html": render_to_string("email/_event_facts.html", context),
                "calendar_url": settings.SITE_URL + reverse("event-ics", args=[event.pk]),
                "event_url": settings.SITE_URL + reverse("event-detail", args=[event.pk]),
            }
        return self._parts[event.pk]

    def message(self, notification: Notification) -> EmailMultiAlternatives | str:
        """The notification's message as the rows stand now, or why it is no longer owed."""
        student, key, kind = notification.student, notification.object_id, notification.kind
        if not student.email:
            return NO_ADDRESS
        if kind in _renderers:
            return _renderers[kind].build(self, notification, self.loaded[kind])
        if kind in _ABOUT_A_REGISTRATION:
            return self._about_registration(notification, self.registrations.get(key))
        if kind == Kind.TEAM_INVITATION:
            team = self.teams.get(key)
            if team is None or team.status == RegistrationStatus.CANCELLED:
                return NO_LONGER_SO
            context = {**self.about(team.event), "student": student, "team": team}
            return compose("team_invitation", f"Join team {team.name}: {team.event.title}", context, student.email)
        if kind == Kind.SIGNUP_VERIFICATION:
            user = self.logins.get(key)
            if user is None or user.is_active or student.user_id != user.pk:
                return NO_LONGER_SO
            link = settings.SITE_URL + reverse("signup-verify", args=[signup_link_token(user)])
            context = {"student": student, "link": link, "hours": settings.SIGNUP_VERIFICATION_MAX_AGE // 3600}
            return compose("signup_verification", "Confirm your email for College Events", context, student.email)
        if kind != Kind.EVENT_CANCELLED:
            raise LookupError(f"No sender registered for {kind!r} notifications.")
        event = self.events.get(key)
        if event is None or event.status != Event.Status.CANCELLED:
            return NO_LONGER_SO
        context = {**self.about(event), "full_name": student.full_name}
        return compose("event_cancelled", f"Cancelled: {event.title}", context, student.email)

    def _about_registration(
        self, notification: Notification, registration: Registration | None
    ) -> EmailMultiAlternatives | str:
        template, subject, status_now = _ABOUT_A_REGISTRATION[notification.kind]
        if registration is None or registration.status != status_now:
            return NO_LONGER_SO
        student, event = notification.student, registration.event
        context = {**self.about(event), "student": student, "registration": registration}
        if status_now == RegistrationStatus.WAITLISTED:
            context["waitlist_place"] = self.waitlist_places.get((event.pk, registration.waitlist_seq))
        return compose(template, f"{subject}: {event.title}", context, student.email)


# kind -> (template, subject, the registration's status the email is still true of)
_ABOUT_A_REGISTRATION = {
    Kind.REGISTRATION_CONFIRMED: ("registration_confirmed", "Registration confirmed", RegistrationStatus.CONFIRMED),
    Kind.WAITLIST_PROMOTED: ("waitlist_promoted", "You have a seat", RegistrationStatus.CONFIRMED),
    Kind.WAITLIST_JOINED: ("waitlist_joined", "You are on the waitlist", RegistrationStatus.WAITLISTED),
    Kind.REGISTRATION_CANCELLED: ("registration_cancelled", "Registration cancelled", RegistrationStatus.CANCELLED),
    Kind.REGISTRATION_PENDING: ("registration_pending", "Waiting for approval", RegistrationStatus.PENDING),
    Kind.REGISTRATION_REJECTED: ("registration_rejected", "Registration not approved", RegistrationStatus.REJECTED),
}


def _record_failure(notification: Notification, error: Exception, result: Delivery) -> None:
    attempts = notification.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    Notification.objects.filter(pk=notification.pk).update(
        attempts=attempts,
        state=State.FAILED if gave_up else State.PENDING,
        next_attempt_at=timezone.now() + retry_delay(attempts),
        last_error=f"{type(error).__name__}: {error}"[:1000],
    )
    if gave_up:
        result.failed += 1
    else:
        result.retrying += 1
    logger.warning("Notification %s not sent (attempt %s): %s", notification.pk, attempts, error)


def _send(notifications: list[Notification], messages: dict, result: Delivery) -> list[int]:
    """Send each message over one connection; the ids sent. A failure is recorded per message."""
    sent = []
    try:
        connection = get_connection()
        connection.open()
    except Exception as error:  # noqa: BLE001 - a mail server that is down is retried later, never raised
        for notification in notifications:
            _record_failure(notification, error, result)
        return sent
    try:
        for notification in notifications:
            try:
                connection.send_messages([messages[notification.pk]])
            except Exception as error:  # noqa: BLE001 - as above, for one message
                _record_failure(notification, error, result)
            else:
                sent.append(notification.pk)
    finally:
        connection.close()
    return sent


def deliver(*, ids: list[int] | None = None, limit: int = 100) -> Delivery:
    """Send the given notifications, or up to ``limit`` due ones, over one mail connection.

    A message that cannot be built (a template error) is recorded as a failed attempt like a
    refused one, so one bad row never stops the rest or the sender.
    """
    result = Delivery()
    notifications = _claim(ids, limit)
    if not notifications:
        return result
    batch = Batch(notifications)
    messages: dict[int, EmailMultiAlternatives] = {}
    skipped: dict[str, list[int]] = {}
    for notification in notifications:
        try:
            outcome = batch.message(notification)
        except Exception as error:  # noqa: BLE001 - recorded and retried later, like a refused message
            _record_failure(notification, error, result)
            continue
        if isinstance(outcome, str):
            skipped.setdefault(outcome, []).append(notification.pk)
        else:
            messages[notification.pk] = outcome
    to_send = [n for n in notifications if n.pk in messages]
    sent = _send(to_send, messages, result) if to_send else []
    Notification.objects.filter(pk__in=sent).update(
        state=State.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    for reason, pks in skipped.items():
        Notification.objects.filter(pk__in=pks).update(state=State.SKIPPED, last_error=reason)
    result.sent, result.skipped = len(sent), sum(len(pks) for pks in skipped.values())
    return result
