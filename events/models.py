from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email, validate_slug
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from events import maps
from eventsite.text import multiline_text, single_line_text

DEFAULT_REMINDER_OFFSETS_MINUTES = (1440, 60)
REMINDER_OFFSET_MAX_MINUTES = 28 * 24 * 60
REMINDER_OFFSETS_MAX = 5


def default_reminder_offsets() -> list[int]:
    """A day and an hour before the start."""
    return list(DEFAULT_REMINDER_OFFSETS_MINUTES)


class Event(models.Model):
    class Mode(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        TEAM = "team", "Team"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING_APPROVAL = "pending_approval", "Awaiting approval"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    # Everyone sees these; a draft or an event awaiting approval only its organizers and staff.
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.CANCELLED)

    class Phase(models.TextChoices):
        REGISTRATION_NOT_STARTED = "registration_not_started"
        REGISTRATION_OPEN = "registration_open"
        REGISTRATION_CLOSED = "registration_closed"
        ONGOING = "ongoing"
        COMPLETED = "completed"

    class AttendanceRule(models.TextChoices):
        """How a participation certificate is earned (evaluated in certificates/eligibility.py)."""

        MIN_SESSIONS = "min_sessions", "At least N sessions"
        PERCENTAGE = "percentage", "A percentage of the sessions"
        ALL = "all", "Every session"
        MANDATORY = "mandatory", "The mandatory sessions plus a minimum"

    event_id = models.CharField(primary_key=True, max_length=64, validators=[validate_slug])
    title = models.CharField(max_length=200, validators=[single_line_text])
    description = models.TextField(blank=True, validators=[multiline_text])
    venue = models.CharField(max_length=200, blank=True, validators=[single_line_text])
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    registration_opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open once published.")
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: closes when the event starts."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Confirmed students; empty: unlimited.")
    registration_mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.INDIVIDUAL)
    team_size_min = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    team_size_max = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    waitlist_enabled = models.BooleanField(default=False)
    min_sessions_for_certificate = models.PositiveSmallIntegerField(
        default=1, help_text="N of the 'at least N sessions' rule; the minimum of the 'mandatory sessions' rule."
    )
    attendance_rule_kind = models.CharField(
        "attendance rule", max_length=12, choices=AttendanceRule.choices, default=AttendanceRule.MIN_SESSIONS
    )
    attendance_percent = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="For the percentage rule: the share of the sessions to attend (rounded up).",
    )
    certificate_requires_feedback = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    cancellation_reason = models.TextField(blank=True, help_text="Told to every registrant when cancelled.")
    organizers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="organized_events")
    reminder_offsets_minutes = models.JSONField(
        default=default_reminder_offsets,
        blank=True,
        help_text="Minutes before the start at which each confirmed student is reminded; empty: no reminders.",
    )
    # Who may register (registrations/audience.py states the rules and the sentence a student reads).
    eligible_departments = models.JSONField(
        default=list, blank=True, help_text="Department codes such as CSE; empty: every department."
    )
    eligible_years = models.JSONField(default=list, blank=True, help_text="Years of study (1-6); empty: every year.")
    access_code_required = models.BooleanField(
        default=False, help_text="Invite-only: registering needs one of the event's access codes."
    )
    approval_required = models.BooleanField(
        default=False, help_text="A registration waits, holding no seat, until an organizer approves it."
    )
    contact_email = models.EmailField(
        blank=True, default="", help_text="Shown on the event's page for questions; empty: the club's."
    )
    club = models.ForeignKey(
        "clubs.Club",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="The club's owners and organizers organize the event too.",
    )
    certificate_template = models.ForeignKey(
        "certificates.CertificateTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        help_text="How its certificates look; none: the plain layout.",
    )

    # Kept by the services under the event's row lock so that the capacity check
    # costs the same whatever the event's size; check_integrity recounts it.
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    waitlist_counter = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "event_id"]
        indexes = [models.Index(fields=["status", "starts_at"], name="event_status_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message="An event must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(team_size_min__gte=1),
                name="event_team_size_min_positive",
                violation_error_message="A team needs at least one member.",
            ),
            models.CheckConstraint(
                condition=Q(team_size_max__gte=F("team_size_min")),
                name="event_team_size_range",
                violation_error_message="The largest team size cannot be smaller than the smallest.",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_order",
                violation_error_message="Registration must close after it opens.",
            ),
            models.CheckConstraint(
                condition=Q(attendance_percent__gte=1, attendance_percent__lte=100),
                name="event_attendance_percent_range",
                violation_error_message="An attendance percentage is between 1 and 100.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def contact(self) -> str:
        """Whom students write to: the event's address, else its club's (the club must be loaded); empty
        when none is a valid address (one stored before its validator existed cannot reach a page or a header)."""
        address = self.contact_email or (self.club.contact_email if self.club_id else "")
        try:
            validate_email(address)
        except ValidationError:
            return ""
        return address

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def registration_closes_effective(self):
        return self.registration_closes_at or self.starts_at

    # The rule "registration is open and a seat is free", stated once for Python here and once for SQL
    # (registration_window_open_q, seat_free_q below); tests/events/test_registration_rule.py proves
    # the two forms agree over the whole grid of cases.
    def registration_opens_later_than(self, now) -> bool:
        return self.registration_opens_at is not None and now < self.registration_opens_at

    def registration_window_open_at(self, now) -> bool:
        """Opened (or no opening time) and not yet closed (the closing time, else the start)."""
        return not self.registration_opens_later_than(now) and now < self.registration_closes_effective

    def capacity_holds(self, confirmed: int) -> bool:
        """Whether ``confirmed`` students fit in the event (always, when its capacity is unlimited)."""
        return self.capacity is None or confirmed <= self.capacity

    def seats_missing(self, group_size: int) -> int:
        """How many seats the capacity lacks to confirm ``group_size`` more students now (0: they fit)."""
        return 0 if self.capacity is None else max(self.confirmed_count + group_size - self.capacity, 0)

    def phase_at(self, now) -> str:
        if self.registration_opens_later_than(now):
            return self.Phase.REGISTRATION_NOT_STARTED
        if self.registration_window_open_at(now):
            return self.Phase.REGISTRATION_OPEN
        if now < self.starts_at:
            return self.Phase.REGISTRATION_CLOSED
        if now < self.ends_at:
            return self.Phase.ONGOING
        return self.Phase.COMPLETED

    @property
    def phase(self) -> str:
        return self.phase_at(timezone.now())

    @property
    def is_team_event(self) -> bool:
        return self.registration_mode == self.Mode.TEAM

    @property
    def registration_is_plain(self) -> bool:
        """Anyone may register with nothing more to check: no audience, no access code, no approval."""
        return not (
            self.eligible_departments or self.eligible_years or self.access_code_required or self.approval_required
        )

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    def constraint_errors(self) -> dict[str, list[str]]:
        """What the database's check constraints would refuse, said before the write: ``{field: [message]}``."""
        errors: dict[str, list[str]] = {}
        for field, message, holds in CONSTRAINT_RULES.values():
            if not holds(self):
                errors.setdefault(field, []).append(message)
        return errors

    # The six enrollment-keyed maps of DESIGN.md: read-only views over the rows.
    @property
    def registrations(self) -> maps.RowMap:
        return maps.event_map("registrations", self.pk)

    @property
    def waitlist(self) -> maps.RowMap:
        return maps.event_map("waitlist", self.pk)

    @property
    def team_registrations(self) -> maps.RowMap:
        return maps.event_map("team_registrations", self.pk)

    @property
    def attendances(self) -> maps.RowMap:
        return maps.event_map("attendances", self.pk)

    @property
    def feedbacks(self) -> maps.RowMap:
        return maps.event_map("feedbacks", self.pk)

    @property
    def certificates(self) -> maps.RowMap:
        return maps.event_map("certificates", self.pk)


def registration_window_open_q(now) -> Q:
    """``Event.registration_window_open_at`` in SQL."""
    return (Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now)) & (
        Q(registration_closes_at__gt=now) | Q(registration_closes_at__isnull=True, starts_at__gt=now)
    )


def seat_free_q() -> Q:
    """``Event.capacity_holds(confirmed_count + 1)`` in SQL: one more student fits."""
    return Q(capacity__isnull=True) | Q(confirmed_count__lt=F("capacity"))


def registration_plain_q() -> Q:
    """``Event.registration_is_plain`` in SQL."""
    return Q(eligible_departments=[], eligible_years=[], access_code_required=False, approval_required=False)


# The check constraints of ``Event.Meta`` in Python, by name, with the field and message a page or the API
# shows; tests/events/test_event_constraints.py proves each agrees with its constraint.
CONSTRAINT_RULES = {
    "event_ends_after_start": (
        "ends_at",
        "The event cannot end before it starts.",
        lambda event: event.ends_at >= event.starts_at,
    ),
    "event_registration_window_order": (
        "registration_closes_at",
        "Registration must close after it opens.",
        lambda event: (
            event.registration_opens_at is None
            or event.registration_closes_at is None
            or event.registration_closes_at > event.registration_opens_at
        ),
    ),
    "event_team_size_min_positive": (
        "team_size_min",
        "A team has at least one member.",
        lambda event: event.team_size_min >= 1,
    ),
    "event_team_size_range": (
        "team_size_max",
        "The largest team size cannot be below the smallest.",
        lambda event: event.team_size_max >= event.team_size_min,
    ),
    "event_attendance_percent_range": (
        "attendance_percent",
        "An attendance percentage is between 1 and 100.",
        lambda event: 1 <= event.attendance_percent <= 100,
    ),
}


class EventSession(models.Model):
    """A day or slot of an event; attendance is per session."""

    DEFAULT_CODE = "main"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200, blank=True, validators=[single_line_text])
    starts_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    mandatory = models.BooleanField(
        default=False, help_text="Under the 'mandatory sessions' rule, a certificate needs this session."
    )

    class Meta:
        ordering = ["event", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "code"], name="session_code_unique_per_event")]

    def __str__(self) -> str:
        return self.title or self.code


class EventAuditEntry(models.Model):
    """Who changed what that matters about an event, and when: one row per change."""

    class Action(models.TextChoices):
        CREATED = "created", "created"
        SUBMITTED = "submitted", "submitted for approval"
        PUBLISHED = "published", "published"
        APPROVED = "approved", "approved and published"
        CANCELLED = "cancelled", "cancelled"
        CAPACITY_CHANGED = "capacity_changed", "changed the capacity"
        REGISTRATION_APPROVED = "registration_approved", "approved a registration"
        REGISTRATION_REJECTED = "registration_rejected", "rejected a registration"
        ANNOUNCED = "announced", "sent an announcement"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    # Kept as written, so the row still says who it was if the login is deleted later.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=24, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [models.Index(fields=["event", "-at"], name="audit_event_at")]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.get_action_display()} {self.event_id}"


class EventQuestion(models.Model):
    """A question an event asks at registration; its answers are rows in ``registrations``.

    A question that has answers is never deleted: removed from the event's list it is
    ``archived`` (no longer asked, its answers still shown).
    """

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        CHOICE = "choice", "One choice"
        MULTI_CHOICE = "multi_choice", "Several choices"
        YES_NO = "yes_no", "Yes or no"
        NUMBER = "number", "Number"

    LABEL_MAX_LENGTH = 300
    CHOICES_MAX = 50
    CHOICE_MAX_LENGTH = 200

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=LABEL_MAX_LENGTH, validators=[single_line_text])
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True, help_text="The options of a choice question.")
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    archived = models.BooleanField(default=False, help_text="No longer asked; its answers are kept.")

    class Meta:
        ordering = ["event", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="event_question_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["text", "choice", "multi_choice", "yes_no", "number"]),
                name="event_question_kind_known",
                violation_error_message="A question is text, choice, multi_choice, yes_no or number.",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class EventPoster(models.Model):
    """An event's poster as stored after re-encoding (eventsite/images.py): the bytes live in the
    database, so every app server behind the load balancer serves the same one."""

    ALT_TEXT_MAX_LENGTH = 300

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="poster")
    image = models.BinaryField()
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    digest = models.CharField(max_length=16, help_text="Fingerprint of the bytes; part of the poster's address.")
    alt_text = models.CharField(
        max_length=ALT_TEXT_MAX_LENGTH,
        blank=True,
        validators=[single_line_text],
        help_text="What the poster shows, for students who cannot see it.",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"poster of {self.event_id}"

    def get_absolute_url(self) -> str:
        """It changes with the image, so what is served there can be cached for ever."""
        return reverse("event-poster", args=[self.event_id, self.filename])

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"

    @property
    def filename(self) -> str:
        return f"{self.digest}.{self.extension}"

    def alt_for(self, event: Event) -> str:
        return self.alt_text or f"Poster of {event.title}"
