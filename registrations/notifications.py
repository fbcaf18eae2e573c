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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from events.models import Event
from eventsite.text import printable
from registrations.models import ACTIVE_STATUSES, Notification, Registration, RegistrationStatus, Student
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


def deliver_after_commit(ids: list[int]) -> None:
    if ids and settings.NOTIFICATIONS_SENDER == "request":
        transaction.on_commit(lambda: deliver(ids=ids), robust=True)


def registrations_confirmed(registrations: Iterable[Registration]) -> None:
    """Tell each student their seat is confirmed, with their check-in code."""
    owe(Kind.REGISTRATION_CONFIRMED, [(r.student_id, r.pk) for r in registrations])


def waitlist_promoted(promoted: dict[str, str]) -> None:
    """Tell each student (``{enrollment_no: registration_id}``) they moved from the waitlist to a seat."""
    owe(Kind.WAITLIST_PROMOTED, promoted.items())


def certificates_issued(certificates: Iterable[Certificate]) -> None:
    """Send each new certificate's holder its verification link."""
    owe(Kind.CERTIFICATE_ISSUED, [(c.student_id, c.pk) for c in certificates])


def event_cancelled(event: Event) -> None:
    """Tell every active registrant (confirmed or waitlisted) that the event is cancelled.

    The recipients are read now, inside the cancelling transaction, so that whatever the
    cancellation does to the registrations afterwards, the people who held a place are told.
    """
    registrants = (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
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


def _message(template: str, subject: str, context: dict, to: str) -> EmailMultiAlternatives:
    context = {**context, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=printable(subject),  # a header: stored text with a line break would make every send fail
        body=render_to_string(f"email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


NO_ADDRESS = "The student has no email address."
NO_LONGER_SO = (
    "No longer so: the registration is not confirmed, the certificate revoked, the event not cancelled "
    "or the sign-up already verified."
)


class _Batch:
    """What a batch of notifications is about, one query per kind, and each event's shared parts rendered once."""

    def __init__(self, notifications: list[Notification]) -> None:
        wanted: dict[str, set[str]] = {}
        for notification in notifications:
            wanted.setdefault(notification.kind, set()).add(notification.object_id)
        registration_ids = wanted.get(Kind.REGISTRATION_CONFIRMED, set()) | wanted.get(Kind.WAITLIST_PROMOTED, set())
        self.registrations = Registration.objects.select_related("event", "team").in_bulk(list(registration_ids))
        self.certificates = Certificate.objects.select_related("event").in_bulk(
            list(wanted.get(Kind.CERTIFICATE_ISSUED, []))
        )
        self.events = Event.objects.in_bulk(list(wanted.get(Kind.EVENT_CANCELLED, [])))
        logins = [int(pk) for pk in wanted.get(Kind.SIGNUP_VERIFICATION, []) if pk.isdigit()]
        self.logins = {str(pk): user for pk, user in User.objects.in_bulk(logins).items()}
        self._parts: dict[str, dict] = {}

    def about(self, event: Event) -> dict:
        """What every message about this event shows: rendered once per event, not once per student."""
        if event.pk not in self._parts:
            context = {"event": event}
            self._parts[event.pk] = {
                "event": event,
                "event_facts_txt": render_to_string("email/_event_facts.txt", context),
                "event_facts_html": render_to_string("email/_event_facts.html", context),
                "calendar_url": settings.SITE_URL + reverse("event-ics", args=[event.pk]),
            }
        return self._parts[event.pk]

    def message(self, notification: Notification) -> EmailMultiAlternatives | str:
        """The notification's message as the rows stand now, or why it is no longer owed."""
        student, key, kind = notification.student, notification.object_id, notification.kind
        if not student.email:
            return NO_ADDRESS
        if kind in (Kind.REGISTRATION_CONFIRMED, Kind.WAITLIST_PROMOTED):
            registration = self.registrations.get(key)
            if registration is None or registration.status != RegistrationStatus.CONFIRMED:
                return NO_LONGER_SO
            template, subject = (
                ("registration_confirmed", "Registration confirmed")
                if kind == Kind.REGISTRATION_CONFIRMED
                else ("waitlist_promoted", "You have a seat")
            )
            context = {**self.about(registration.event), "student": student, "registration": registration}
            return _message(template, f"{subject}: {registration.event.title}", context, student.email)
        if kind == Kind.CERTIFICATE_ISSUED:
            certificate = self.certificates.get(key)
            if certificate is None or certificate.revoked_at is not None:
                return NO_LONGER_SO
            context = {**self.about(certificate.event), "student": student, "certificate": certificate}
            title = certificate.event.title
            return _message("certificate_issued", f"Your certificate: {title}", context, student.email)
        if kind == Kind.SIGNUP_VERIFICATION:
            user = self.logins.get(key)
            if user is None or user.is_active or student.user_id != user.pk:
                return NO_LONGER_SO
            link = settings.SITE_URL + reverse("signup-verify", args=[signup_link_token(user)])
            context = {"student": student, "link": link, "hours": settings.SIGNUP_VERIFICATION_MAX_AGE // 3600}
            return _message("signup_verification", "Confirm your email for College Events", context, student.email)
        event = self.events.get(key)
        if event is None or event.status != Event.Status.CANCELLED:
            return NO_LONGER_SO
        context = {**self.about(event), "full_name": student.full_name}
        return _message("event_cancelled", f"Cancelled: {event.title}", context, student.email)


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
    batch = _Batch(notifications)
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
