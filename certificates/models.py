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
# The longest reason a revocation keeps (certificates and record snapshots alike).
REVOCATION_REASON_MAX = 2000


class Verifiable:
    """A paper anyone may check at its ``verify_path`` on the site: valid until it is revoked (``revoked_at``)."""

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def status(self) -> str:
        return "revoked" if self.is_revoked else "valid"

    @property
    def verify_url(self) -> str:
        return settings.SITE_URL + self.verify_path


class Certificate(Verifiable, models.Model):
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
    def verify_path(self) -> str:
        return reverse("certificate-verify", args=[self.certificate_id])


PLACEHOLDERS = ("student_name", "event_title", "event_dates", "title")
SIGNATORIES_MAX = 3
DEFAULT_BODY = "This certifies that {student_name} took part in {event_title}, held on {event_dates}."


class CertificateTemplateQuerySet(models.QuerySet):
    def usable_for_club(self, club_id: str | None) -> "CertificateTemplateQuerySet":
        """The templates an event of this club may use: the club's own and the college-wide ones."""
        return self.filter(models.Q(club__isnull=True) | models.Q(club_id=club_id))


class CertificateTemplate(models.Model):
    """How an event's certificates look: the institution, its logo, who signs, the colour and the wording.

    A template without a club is college-wide (staff design it); a club's owners design the
    club's own. Images are stored re-encoded (``certificates.images``), never as uploaded.
    """

    club = models.ForeignKey(
        "clubs.Club", null=True, blank=True, on_delete=models.PROTECT, related_name="certificate_templates"
    )
    name = models.CharField(max_length=100, validators=[single_line_text])
    institution = models.CharField(max_length=200, validators=[single_line_text])
    accent_color = models.CharField(max_length=7, default="#1f5f8b")
    body = models.TextField(max_length=1000, default=DEFAULT_BODY, validators=[multiline_text])
    # [{"name": ..., "designation": ...}], at most SIGNATORIES_MAX; signature_N belongs to the Nth.
    signatories = models.JSONField(default=list, blank=True)
    logo = models.BinaryField(null=True, blank=True)
    signature_1 = models.BinaryField(null=True, blank=True)
    signature_2 = models.BinaryField(null=True, blank=True)
    signature_3 = models.BinaryField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CertificateTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accent_color__regex=r"^#[0-9a-fA-F]{6}$"),
                name="certificate_template_accent_is_hex",
                violation_error_message="The accent colour is a hex colour such as #1f5f8b.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def signature_images(self) -> list[bytes | None]:
        return [self.signature_1, self.signature_2, self.signature_3]


class RecordSnapshot(Verifiable, models.Model):
    """A student's co-curricular record as it stood when it was handed out, verifiable by its own URL.

    ``lines`` keeps what the paper said (event, dates, role, kinds and titles), so a later change
    cannot make an old printout verify as something else; revoking it makes verification say so.
    """

    snapshot_id = models.CharField(primary_key=True, max_length=40)
    student = models.ForeignKey("registrations.Student", on_delete=models.PROTECT, db_column="enrollment_no")
    student_name = models.CharField(max_length=200)
    lines = models.JSONField(default=list)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the lines: the same record is not stored twice.")
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True, validators=[multiline_text])

    class Meta:
        ordering = ["-issued_at", "snapshot_id"]
        indexes = [models.Index(fields=["student", "digest"], name="record_snapshot_student_digest")]

    def __str__(self) -> str:
        return self.snapshot_id

    @property
    def verify_path(self) -> str:
        return reverse("record-verify", args=[self.snapshot_id])
