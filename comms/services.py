"""Talking to students: reminders, preferences, announcements, "registration is open" alerts.

Every email goes through the outbox of ``registrations.notifications``; scheduled ones are
written a little before they are due by the worker's schedulers (``reminders_schedule`` ...),
with the time they are for, at most once each (``notification_scheduled_once``).
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from comms.models import Announcement, EmailPreferences, OpeningAlert
from events.models import REMINDER_OFFSET_MAX_MINUTES, Event, EventAuditEntry
from events.selectors import event_user_is_organizer, registration_window_open_q
from events.services import event_audit_record
from eventsite.errors import NotFound, PermissionDenied, RegistrationClosed, Throttled, ValidationFailed
from registrations import notifications
from registrations.models import ACTIVE_STATUSES, Attendance, Notification, Registration, RegistrationStatus, Student

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

# The non-essential kinds a student may turn off; everything else is transactional and always goes.
OPTIONAL_EMAILS = ("reminders", "announcements")
_UNSUBSCRIBE_SALT = "comms.unsubscribe"


def unsubscribe_token(*, enrollment_no: str, emails: str) -> str:
    """A signed token that turns ``emails`` (reminders or announcements) off for one student, without a login."""
    return signing.dumps({"s": enrollment_no, "e": emails}, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_url(*, enrollment_no: str, emails: str) -> str:
    return settings.SITE_URL + reverse(
        "email-unsubscribe", args=[unsubscribe_token(enrollment_no=enrollment_no, emails=emails)]
    )


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST ``List-Unsubscribe=One-Click`` to ``url``."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_token_read(token: str) -> tuple[Student, str] | None:
    """The student and the emails a token turns off, or None for a forged, damaged or stale token."""
    try:
        claim = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or claim.get("e") not in OPTIONAL_EMAILS:
        return None
    student = Student.objects.filter(pk=claim.get("s")).first()
    return (student, claim["e"]) if student else None


def email_preferences_of(student: Student) -> EmailPreferences:
    """The student's preferences (all on when they never chose), not saved."""
    return EmailPreferences.objects.filter(student=student).first() or EmailPreferences(student=student)


@transaction.atomic
def email_unsubscribe(*, token: str) -> tuple[Student, str] | None:
    """Turn off what the token names; None when the token is not valid. Doing it twice changes nothing."""
    claim = unsubscribe_token_read(token)
    if claim is None:
        return None
    student, emails = claim
    email_preferences_set(student=student, **{emails: False})
    return claim


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


# Announcements


def _text_clean(value: object, *, field: str, max_length: int, one_line: bool) -> str:
    """Free text an organizer typed, refused (not silently changed) when it could break a header or a page.

    A subject is one line: CR, LF and other control characters are refused, as a header must
    never carry them. A body keeps its line breaks (CRLF becomes LF) and tabs, nothing else below
    U+0020 and no Unicode line or paragraph separators.
    """
    if not isinstance(value, str):
        raise ValidationFailed.for_field(field, "Text is required.")
    text = value.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed.for_field(field, "This cannot be empty.")
    if len(text) > max_length:
        raise ValidationFailed.for_field(field, f"At most {max_length} characters.")
    allowed = "" if one_line else "\n\t"
    bad = [ch for ch in text if ch not in allowed and (unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"))]
    if bad:
        what = "a line break or control character" if one_line else "a control character"
        raise ValidationFailed.for_field(field, f"Remove {what} (U+{ord(bad[0]):04X}).")
    return text


def announcement_audience(event: Event, audience: str):
    """The registrations an announcement to ``audience`` reaches, before preferences and addresses."""
    registrations = Registration.objects.filter(event=event)
    attended = Exists(Attendance.objects.filter(registration=OuterRef("pk")))
    return {
        Announcement.Audience.CONFIRMED: registrations.filter(status=RegistrationStatus.CONFIRMED),
        Announcement.Audience.WAITLISTED: registrations.filter(status=RegistrationStatus.WAITLISTED),
        Announcement.Audience.ATTENDED: registrations.filter(attended, status=RegistrationStatus.CONFIRMED),
        Announcement.Audience.NOT_ATTENDED: registrations.filter(~attended, status=RegistrationStatus.CONFIRMED),
        Announcement.Audience.ALL: registrations.filter(status__in=ACTIVE_STATUSES),
    }[audience]


def announcement_recipients(event: Event, audience: str):
    """Who an announcement to ``audience`` is emailed to: with an address, announcements not turned off."""
    return announcement_audience(event, audience).exclude(student__email="").filter(~_opted_out(announcements=False))


@dataclass(frozen=True)
class AnnouncementDraft:
    subject: str
    body: str
    audience: str


def announcement_validate(*, subject: object, body: object, audience: object) -> AnnouncementDraft:
    """The draft as it would be sent, or VALIDATION_ERROR naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for field, value, max_length, one_line in (
        ("subject", subject, Announcement.SUBJECT_MAX_LENGTH, True),
        ("body", body, Announcement.BODY_MAX_LENGTH, False),
    ):
        try:
            cleaned[field] = _text_clean(value, field=field, max_length=max_length, one_line=one_line)
        except ValidationFailed as error:
            errors.update(error.details)
    if audience not in Announcement.Audience.values:
        errors["audience"] = [f"One of {', '.join(Announcement.Audience.values)}."]
    if errors:
        raise ValidationFailed("The announcement is not valid.", details=errors)
    return AnnouncementDraft(subject=cleaned["subject"], body=cleaned["body"], audience=audience)


def announcements_sent_today(event: Event, *, now: datetime) -> int:
    """Announcements of the event since midnight in the college's time zone."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Announcement.objects.filter(event=event, created_at__gte=midnight).count()


def announcement_send(*, event: Event, subject: object, body: object, audience: object, actor: User) -> Announcement:
    """Queue an announcement to the event's ``audience``: one outbox row per recipient in one INSERT ... SELECT.

    Only the event's organizers (and staff); at most ``ANNOUNCEMENTS_PER_DAY`` per event per day
    (college time), counted under the event's row lock so two at once cannot both be the last.
    Recorded in the event's audit trail.
    The worker sends them; a student who turns announcements off before theirs goes gets none.
    """
    if not event_user_is_organizer(event, actor):
        raise PermissionDenied("Only this event's organizers can write to its registrants.")
    draft = announcement_validate(subject=subject, body=body, audience=audience)
    with transaction.atomic():
        locked = Event.objects.select_for_update(no_key=True).filter(pk=event.pk).first()
        if locked is None:
            raise NotFound.of("event", event.pk)
        now = timezone.now()
        limit = settings.ANNOUNCEMENTS_PER_DAY
        if announcements_sent_today(locked, now=now) >= limit:
            raise Throttled(
                f"This event has sent its {limit} announcements for today; send the next one tomorrow.",
                details={"limit": limit},
            )
        announcement = Announcement.objects.create(
            event=locked,
            subject=draft.subject,
            body=draft.body,
            audience=draft.audience,
            created_by=actor if actor.is_authenticated else None,
            created_at=now,
        )
        announcement.recipients = notifications.owe_each(
            Notification.Kind.ANNOUNCEMENT,
            announcement_recipients(locked, draft.audience),
            student="student_id",
            about=announcement.pk,
        )
        announcement.save(update_fields=["recipients"])
        event_audit_record(
            event=locked,
            actor=actor,
            action=EventAuditEntry.Action.ANNOUNCED,
            after={
                "announcement_id": announcement.pk,
                "audience": announcement.audience,
                "recipients": announcement.recipients,
                "subject": announcement.subject,
            },
        )
    return announcement


# "Tell me when registration opens"


def opening_alert_subscribe(*, event: Event, student: Student) -> OpeningAlert:
    """Ask to be emailed once when registration opens; asking again changes nothing.

    Only for a published event whose registration has not opened yet (REGISTRATION_CLOSED otherwise:
    it is open now, or over).
    """
    now = timezone.now()
    if event.status != Event.Status.PUBLISHED or event.phase_at(now) != Event.Phase.REGISTRATION_NOT_STARTED:
        raise RegistrationClosed(
            "Registration is not about to open: it is open now, or over.", details={"phase": event.phase_at(now)}
        )
    alert, _ = OpeningAlert.objects.get_or_create(event=event, student=student)
    return alert


def opening_alert_cancel(*, event: Event, student: Student) -> None:
    OpeningAlert.objects.filter(event=event, student=student).delete()


def opening_alerts_schedule(now: datetime) -> int:
    """Owe each waiting student one email for the events whose registration opens within the look-ahead.

    Due at the opening time; written once per student and opening time, so an event whose
    opening moves tells them at the new time, and one that stays open tells them once.
    """
    until = now + SCHEDULE_LOOKAHEAD
    opening = (
        Event.objects.filter(
            registration_window_open_q(until),
            status=Event.Status.PUBLISHED,
            registration_opens_at__isnull=False,
            opening_alerts__isnull=False,
        )
        .distinct()
        .values_list("pk", "registration_opens_at")
    )
    owed = 0
    for event_id, opens_at in opening:
        already = Notification.objects.filter(
            kind=Notification.Kind.REGISTRATION_OPENED,
            student=OuterRef("student_id"),
            object_id=event_id,
            due_at=opens_at,
        )
        waiting = OpeningAlert.objects.filter(event_id=event_id).exclude(student__email="").filter(~Exists(already))
        owed += notifications.owe_each(
            Notification.Kind.REGISTRATION_OPENED, waiting, student="student_id", about=event_id, due_at=opens_at
        )
    return owed
