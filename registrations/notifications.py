"""Emails to students, sent after the transaction that caused them commits.

The services call these functions at the point where the fact changes; each one
schedules its sending with ``transaction.on_commit``, so a rolled-back registration
sends nothing and a committed one sends exactly once. Recipients are read inside
the transaction (who was affected), the messages are built and sent after it, all
messages of one call over one connection. Students without an email are skipped.
A mail server that is down is logged, never turned into an error for a change that
has already committed (``robust=True``).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from certificates.models import Certificate
from events.models import Event
from registrations.models import ACTIVE_STATUSES, Registration


def _message(template: str, subject: str, context: dict, to: str) -> EmailMultiAlternatives:
    context = {**context, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


def _send(messages: list[EmailMultiAlternatives]) -> None:
    if not messages:
        return
    with get_connection() as connection:
        connection.send_messages(messages)


def _calendar_url(event: Event) -> str:
    return settings.SITE_URL + reverse("event-ics", args=[event.pk])


def _registration_messages(registration_ids: list[str], template: str, subject_prefix: str) -> None:
    registrations = (
        Registration.objects.select_related("student", "event", "team")
        .filter(pk__in=registration_ids)
        .exclude(student__email="")
        .order_by("registered_at", "pk")
    )
    _send(
        [
            _message(
                template,
                f"{subject_prefix}: {registration.event.title}",
                {
                    "student": registration.student,
                    "event": registration.event,
                    "registration": registration,
                    "calendar_url": _calendar_url(registration.event),
                },
                registration.student.email,
            )
            for registration in registrations
        ]
    )


def registrations_confirmed(registration_ids: Iterable[str]) -> None:
    """Tell each student their seat is confirmed, with their check-in code."""
    ids = list(registration_ids)
    if ids:
        transaction.on_commit(
            lambda: _registration_messages(ids, "registration_confirmed", "Registration confirmed"), robust=True
        )


def waitlist_promoted(registration_ids: Iterable[str]) -> None:
    """Tell each student they moved from the waitlist to a confirmed seat."""
    ids = list(registration_ids)
    if ids:
        transaction.on_commit(lambda: _registration_messages(ids, "waitlist_promoted", "You have a seat"), robust=True)


def _certificate_messages(certificate_ids: list[str]) -> None:
    certificates = (
        Certificate.objects.select_related("student", "event")
        .filter(pk__in=certificate_ids, revoked_at__isnull=True)
        .exclude(student__email="")
        .order_by("issued_at", "pk")
    )
    _send(
        [
            _message(
                "certificate_issued",
                f"Your certificate: {certificate.event.title}",
                {"student": certificate.student, "event": certificate.event, "certificate": certificate},
                certificate.student.email,
            )
            for certificate in certificates
        ]
    )


def certificates_issued(certificate_ids: Iterable[str]) -> None:
    """Send each new certificate's holder its verification link."""
    ids = list(certificate_ids)
    if ids:
        transaction.on_commit(lambda: _certificate_messages(ids), robust=True)


def event_cancelled(event: Event) -> None:
    """Tell every active registrant (confirmed or waitlisted) that the event is cancelled.

    The recipients are read now, inside the cancelling transaction, so that whatever
    the cancellation does to the registrations afterwards, the people who held a
    place are the ones told.
    """
    recipients = list(
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .exclude(student__email="")
        .order_by("registered_at", "pk")
        .values_list("student__full_name", "student__email")
    )
    if not recipients:
        return
    event_id = event.pk

    def send() -> None:
        cancelled = Event.objects.get(pk=event_id)
        _send(
            [
                _message(
                    "event_cancelled",
                    f"Cancelled: {cancelled.title}",
                    {"full_name": full_name, "event": cancelled},
                    email,
                )
                for full_name, email in recipients
            ]
        )

    transaction.on_commit(send, robust=True)
