"""The emails of comms/, rendered by the outbox's sender: reminders, announcements, registration opened.

Each kind registers a loader (a fixed number of queries per batch) and a builder that checks
at send time that the email is still owed, and says why not otherwise.
"""

import io
from collections.abc import Iterable
from datetime import datetime
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from typing import Any

import segno
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from comms.models import Announcement, EmailPreferences
from comms.services import (
    opening_alerts_schedule,
    reminder_still_owed,
    reminders_schedule,
    unsubscribe_headers,
    unsubscribe_url,
)
from events.calendars import event_ics
from events.models import Event
from registrations import notifications
from registrations.models import ACTIVE_STATUSES, Notification, Registration, RegistrationStatus, Student

Kind = Notification.Kind

TURNED_OFF = "The student turned these emails off."
NOT_DUE_ANY_MORE = "No longer due: the registration or event changed, the event started or a later reminder is due."
QR_CONTENT_ID = "checkin-qr"


def reply_to_organizers(event: Event) -> dict[str, str]:
    """A Reply-To header with the event's contact, so that a student's reply to an announcement reaches
    the organizers (``Event.contact`` is a valid address or empty, never a second header)."""
    return {"Reply-To": event.contact} if event.contact else {}


def _opted_out(batch: list[Notification], preference: str) -> set[str]:
    return set(
        EmailPreferences.objects.filter(
            student_id__in={n.student_id for n in batch}, **{preference: False}
        ).values_list("student_id", flat=True)
    )


def _compose_optional(
    template: str,
    subject: str,
    context: dict,
    student: Student,
    emails: str,
    *,
    headers: dict[str, str] | None = None,
    attachments: Iterable[Any] = (),
) -> EmailMultiAlternatives:
    """An email the student may turn off (``emails``: "reminders" or "announcements"): its text links to
    the page that turns them off, and its headers offer mail clients the one-click unsubscribe."""
    link = unsubscribe_url(enrollment_no=student.pk, emails=emails)
    return notifications.compose(
        template,
        subject,
        {**context, "unsubscribe_url": link},
        student.email,
        headers=unsubscribe_headers(link) | (headers or {}),
        attachments=attachments,
    )


def checkin_qr_image(code: str) -> MIMEImage:
    """The check-in code as a PNG the HTML shows inline (``cid:checkin-qr``)."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=6, border=2)
    image = MIMEImage(buffer.getvalue(), "png")
    image.add_header("Content-ID", f"<{QR_CONTENT_ID}>")
    image.add_header("Content-Disposition", "inline", filename="checkin-qr.png")
    return image


def calendar_attachment(ics: bytes, event_id: str) -> MIMEBase:
    part = MIMEBase("text", "calendar", method="PUBLISH", charset="utf-8")
    part.set_payload(ics.decode())
    part.add_header("Content-Disposition", "attachment", filename=f"{event_id}.ics")
    return part


def starts_in_words(starts_at: datetime, now: datetime) -> str:
    """ "tomorrow", "in 3 hours", "in 20 minutes": how far off the start is, as a reminder says it."""
    minutes = max(round((starts_at - now).total_seconds() / 60), 1)
    if minutes >= 20 * 60:
        days = max(round(minutes / 1440), 1)
        return "tomorrow" if days == 1 else f"in {days} days"
    if minutes >= 60:
        hours = round(minutes / 60)
        return "in 1 hour" if hours == 1 else f"in {hours} hours"
    return "in 1 minute" if minutes == 1 else f"in {minutes} minutes"


# Reminders


def _reminders_load(batch: list[Notification]) -> dict:
    registrations = Registration.objects.select_related("event", "team").in_bulk([n.object_id for n in batch])
    return {"registrations": registrations, "opted_out": _opted_out(batch, "reminders"), "ics": {}}


def _reminder_build(batch: notifications.Batch, notification: Notification, loaded: dict):
    student = notification.student
    if student.pk in loaded["opted_out"]:
        return TURNED_OFF
    registration = loaded["registrations"].get(notification.object_id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return notifications.NO_LONGER_SO
    event, now = registration.event, timezone.now()
    if not reminder_still_owed(event, notification.due_at, now=now):
        return NOT_DUE_ANY_MORE
    if event.pk not in loaded["ics"]:
        loaded["ics"][event.pk] = event_ics(event)
    when = starts_in_words(event.starts_at, now)
    context = {
        **batch.about(event),
        "student": student,
        "registration": registration,
        "when": when,
        "qr_content_id": QR_CONTENT_ID,
    }
    return _compose_optional(
        "event_reminder",
        f"Reminder: {event.title} {when}",
        context,
        student,
        "reminders",
        attachments=[
            checkin_qr_image(registration.checkin_code),
            calendar_attachment(loaded["ics"][event.pk], event.pk),
        ],
    )


# Announcements


def _announcements_load(batch: list[Notification]) -> dict:
    announcements = Announcement.objects.select_related("event__club").in_bulk({n.object_id for n in batch})
    return {"announcements": announcements, "opted_out": _opted_out(batch, "announcements")}


def _announcement_build(batch: notifications.Batch, notification: Notification, loaded: dict):
    student = notification.student
    if student.pk in loaded["opted_out"]:
        return TURNED_OFF
    announcement = loaded["announcements"].get(notification.object_id)
    if announcement is None:
        return notifications.NO_LONGER_SO
    event = announcement.event
    context = {**batch.about(event), "student": student, "announcement": announcement}
    return _compose_optional(
        "announcement",
        f"{event.title}: {announcement.subject}",
        context,
        student,
        "announcements",
        headers=reply_to_organizers(event),
    )


# Registration opened


def _openings_load(batch: list[Notification]) -> dict:
    event_ids = {n.object_id for n in batch}
    registered = set(
        Registration.objects.filter(
            event_id__in=event_ids, student_id__in={n.student_id for n in batch}, status__in=ACTIVE_STATUSES
        ).values_list("event_id", "student_id")
    )
    return {"events": Event.objects.in_bulk(event_ids), "registered": registered}


def _opening_build(batch: notifications.Batch, notification: Notification, loaded: dict):
    event = loaded["events"].get(notification.object_id)
    now = timezone.now()
    if (
        event is None
        or event.status != Event.Status.PUBLISHED
        or event.registration_opens_at != notification.due_at
        or event.phase_at(now) != Event.Phase.REGISTRATION_OPEN
    ):
        return NOT_DUE_ANY_MORE
    if (event.pk, notification.student_id) in loaded["registered"]:
        return "The student registered already."
    context = {**batch.about(event), "student": notification.student}
    return notifications.compose(
        "registration_opened", f"Registration is open: {event.title}", context, notification.student.email
    )


def register() -> None:
    notifications.register_kind(Kind.EVENT_REMINDER, notifications.KindRenderer(_reminders_load, _reminder_build))
    notifications.register_scheduler(reminders_schedule)
    notifications.register_kind(Kind.REGISTRATION_OPENED, notifications.KindRenderer(_openings_load, _opening_build))
    notifications.register_scheduler(opening_alerts_schedule)
    notifications.register_kind(Kind.ANNOUNCEMENT, notifications.KindRenderer(_announcements_load, _announcement_build))
