from django.conf import settings
from django.db import models
from django.utils import timezone

from eventsite import ids
from registrations.models import Student


class EmailPreferences(models.Model):
    """Which non-essential emails a student wants; no row means all of them.

    Transactional emails (confirmations, cancellations, certificates ...) always go.
    """

    student = models.OneToOneField(
        Student, primary_key=True, on_delete=models.CASCADE, db_column="enrollment_no", related_name="email_preferences"
    )
    reminders = models.BooleanField(default=True, help_text="Reminders before the events they hold a seat at.")
    announcements = models.BooleanField(default=True, help_text="Organizers' announcements about their events.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "email preferences"

    def __str__(self) -> str:
        return f"{self.student_id}: reminders {self.reminders}, announcements {self.announcements}"


def new_announcement_id() -> str:
    return "N" + ids.random_token(16)


class Announcement(models.Model):
    """What an organizer wrote to some of an event's registrants; one outbox row per recipient.

    Who sent it and when are kept on the row (the record of who wrote to students).
    """

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed students"
        WAITLISTED = "waitlisted", "Students on the waitlist"
        ATTENDED = "attended", "Confirmed students who attended"
        NOT_ATTENDED = "not_attended", "Confirmed students who did not attend"
        ALL = "all", "Everyone registered (confirmed and waitlisted)"

    SUBJECT_MAX_LENGTH = 150
    BODY_MAX_LENGTH = 5000

    announcement_id = models.CharField(primary_key=True, max_length=20, default=new_announcement_id, editable=False)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="announcements")
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    audience = models.CharField(max_length=12, choices=Audience.choices)
    recipients = models.PositiveIntegerField(default=0, help_text="Emails queued when it was sent.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "announcement_id"]
        indexes = [models.Index(fields=["event", "created_at"], name="announcement_event_created")]

    def __str__(self) -> str:
        return self.subject


class OpeningAlert(models.Model):
    """A student asked to be emailed when registration for an upcoming event opens."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="opening_alerts")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, db_column="enrollment_no")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "student"], name="opening_alert_once")]

    def __str__(self) -> str:
        return f"{self.student_id} waits for {self.event_id}"
