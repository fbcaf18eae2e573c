from django.db import models

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
