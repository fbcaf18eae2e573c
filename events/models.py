from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, validate_slug
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from events import maps

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
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    venue = models.CharField(max_length=200, blank=True)
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
    club = models.ForeignKey(
        "clubs.Club",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="The club's owners and organizers organize the event too.",
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
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def registration_closes_effective(self):
        return self.registration_closes_at or self.starts_at

    def phase_at(self, now) -> str:
        if self.registration_opens_at and now < self.registration_opens_at:
            return self.Phase.REGISTRATION_NOT_STARTED
        if now < self.registration_closes_effective:
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
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    # The six enrollment-keyed maps of DESIGN.md: read-only views over the rows.
    @property
    def registrations(self) -> maps.RowMap:
        return maps.registrations_map(self.pk)

    @property
    def waitlist(self) -> maps.RowMap:
        return maps.waitlist_map(self.pk)

    @property
    def team_registrations(self) -> maps.RowMap:
        return maps.team_registrations_map(self.pk)

    @property
    def attendances(self) -> maps.RowMap:
        return maps.attendances_map(self.pk)

    @property
    def feedbacks(self) -> maps.RowMap:
        return maps.feedbacks_map(self.pk)

    @property
    def certificates(self) -> maps.RowMap:
        return maps.certificates_map(self.pk)


class EventSession(models.Model):
    """A day or slot of an event; attendance is per session."""

    DEFAULT_CODE = "main"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200, blank=True)
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
