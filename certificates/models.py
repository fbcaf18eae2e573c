from django.conf import settings
from django.db import models
from django.urls import reverse

from eventsite.text import multiline_text


class Certificate(models.Model):
    certificate_id = models.CharField(primary_key=True, max_length=40)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, db_index=False)  # the constraint's index
    student = models.ForeignKey("registrations.Student", on_delete=models.PROTECT, db_column="enrollment_no")
    registration = models.ForeignKey("registrations.Registration", null=True, blank=True, on_delete=models.SET_NULL)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True, validators=[multiline_text])
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["issued_at", "certificate_id"]
        constraints = [models.UniqueConstraint(fields=["event", "student"], name="certificate_once_per_event")]

    def __str__(self) -> str:
        return self.certificate_id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def status(self) -> str:
        return "revoked" if self.is_revoked else "valid"

    @property
    def verify_path(self) -> str:
        return reverse("certificate-verify", args=[self.certificate_id])

    @property
    def verify_url(self) -> str:
        return settings.SITE_URL + self.verify_path
