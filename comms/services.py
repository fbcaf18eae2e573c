"""Talking to students: reminders, preferences, announcements, "registration is open" alerts.

Every email goes through the outbox of ``registrations.notifications``; scheduled ones are
written a little before they are due by the worker's schedulers (``reminders_schedule`` ...),
with the time they are for, at most once each (``notification_scheduled_once``).
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from comms.models import EmailPreferences
from events.models import REMINDER_OFFSET_MAX_MINUTES, Event
from registrations import notifications
from registrations.models import Notification, Registration, RegistrationStatus, Student

# Schedulers write rows this far ahead of their time, so a worker scanning once a minute sends them on time.
SCHEDULE_LOOKAHEAD = timedelta(minutes=5)


# Reminders


def reminder_offset_due(starts_at: datetime, offsets: Iterable[int], *, until: datetime) -> int | None:
    """The one offset (minutes before ``starts_at``) whose reminder is due by ``until``, or None.

    When several are due by then, the latest (the smallest offset) supersedes the others: a
    worker that was stopped for a day sends "in an hour", not "tomorrow" as well.
    """
    due = [o for o in offsets if starts_at - timedelta(minutes=o) <= until]
    return min(due) if due else None


def reminder_still_owed(event: Event, due_at: datetime, *, now: datetime) -> bool:
    """A reminder written for ``due_at`` still fits the event as it stands: not started, not moved, not superseded."""
    if event.status != Event.Status.PUBLISHED or now >= event.starts_at:
        return False
    offset = (event.starts_at - due_at) / timedelta(minutes=1)
    return offset == reminder_offset_due(
        event.starts_at, event.reminder_offsets_minutes, until=now + SCHEDULE_LOOKAHEAD
    )


def _opted_out(**preference: bool):
    return Exists(EmailPreferences.objects.filter(student=OuterRef("student_id"), **preference))


def reminders_schedule(now: datetime) -> int:
    """Owe the reminders coming due within ``SCHEDULE_LOOKAHEAD``: one per confirmed student and offset.

    Read from the rows as they are at each pass, so a moved event, changed offsets, a late
    registration or a promotion from the waitlist need nothing of their own. A student who
    registered after a reminder's time does not get that one; students who turned reminders
    off or have no address get none. Each (event, offset) is one INSERT ... SELECT.
    """
    until = now + SCHEDULE_LOOKAHEAD
    upcoming = Event.objects.filter(
        status=Event.Status.PUBLISHED,
        starts_at__gt=now,
        starts_at__lte=until + timedelta(minutes=REMINDER_OFFSET_MAX_MINUTES),
    ).values_list("pk", "starts_at", "reminder_offsets_minutes")
    owed = 0
    for event_id, starts_at, offsets in upcoming:
        offset = reminder_offset_due(starts_at, offsets or [], until=until)
        if offset is None:
            continue
        due_at = starts_at - timedelta(minutes=offset)
        already = Notification.objects.filter(
            kind=Notification.Kind.EVENT_REMINDER,
            student=OuterRef("student_id"),
            object_id=OuterRef("registration_id"),
            due_at=due_at,
        )
        recipients = (
            Registration.objects.filter(
                event_id=event_id, status=RegistrationStatus.CONFIRMED, registered_at__lte=due_at
            )
            .exclude(student__email="")
            .filter(~_opted_out(reminders=False), ~Exists(already))
        )
        owed += notifications.owe_each(
            Notification.Kind.EVENT_REMINDER,
            recipients,
            student="student_id",
            object_id="registration_id",
            due_at=due_at,
        )
    return owed


# Preferences


@transaction.atomic
def email_preferences_set(
    *, student: Student, reminders: bool | None = None, announcements: bool | None = None
) -> EmailPreferences:
    """Turn a student's reminders and announcements on or off (None leaves one as it is)."""
    preferences, _ = EmailPreferences.objects.select_for_update().get_or_create(student=student)
    if reminders is not None:
        preferences.reminders = reminders
    if announcements is not None:
        preferences.announcements = announcements
    preferences.save()
    return preferences
