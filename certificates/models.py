from django.conf import settings
from django.db import models
from django.urls import reverse

from eventsite.text import multiline_text, single_line_text


class CertificateKind(models.TextChoices):
    PARTICIPATION = "participation", "Participation"
    MERIT = "merit", "Merit"
    VOLUNTEER = "volunteer", "Volunteer"
    ORGANIZER = "organizer", "Organizer"


# Kinds earned by taking part (a confirmed registration); the others recognise work for the event.
PARTICIPANT_KINDS = (CertificateKind.PARTICIPATION, CertificateKind.MERIT)
TITLE_MAX_LENGTH = 100


class Certificate(models.Model):
    Kind = CertificateKind

    certificate_id = models.CharField(primary_key=True, max_length=40)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, db_index=False)  # the constraint's index
    student = models.ForeignKey("registrations.Student", on_delete=models.PROTECT, db_column="enrollment_no")
    registration = models.ForeignKey("registrations.Registration", null=True, blank=True, on_delete=models.SET_NULL)
    # db_default too: rows written by plain INSERTs (the legacy import) are participation certificates.
    kind = models.CharField(
        max_length=16,
        choices=CertificateKind.choices,
        default=CertificateKind.PARTICIPATION,
        db_default=CertificateKind.PARTICIPATION,
    )
    title = models.CharField(
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        default="",
        db_default="",
        validators=[single_line_text],
        help_text='What it recognises, e.g. "Winner"; required for merit.',
    )
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
        constraints = [
            models.UniqueConstraint(fields=["event", "student", "kind"], name="certificate_once_per_event_and_kind"),
            models.CheckConstraint(
                condition=~models.Q(kind="merit", title=""),
                name="certificate_merit_has_title",
                violation_error_message="A merit certificate needs a title, such as \u201cWinner\u201d.",
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def heading(self) -> str:
        """What the certificate is, in words: "Certificate of Merit: Winner"."""
        name = {
            CertificateKind.PARTICIPATION: "Certificate of Participation",
            CertificateKind.MERIT: "Certificate of Merit",
            CertificateKind.VOLUNTEER: "Certificate of Appreciation (Volunteer)",
            CertificateKind.ORGANIZER: "Certificate of Appreciation (Organizer)",
        }.get(self.kind, "Certificate")
        return f"{name}: {self.title}" if self.title else name

    @property
    def status(self) -> str:
        return "revoked" if self.is_revoked else "valid"

    @property
    def verify_path(self) -> str:
        return reverse("certificate-verify", args=[self.certificate_id])

    @property
    def verify_url(self) -> str:
        return settings.SITE_URL + self.verify_path
