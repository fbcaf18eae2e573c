from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from eventsite import ids
from eventsite.text import multiline_text, single_line_text


class Student(models.Model):
    """A student, stored once, keyed by enrollment number."""

    enrollment_no = models.CharField(primary_key=True, max_length=20)
    full_name = models.CharField(max_length=150, validators=[single_line_text])
    email = models.EmailField(blank=True)
    department = models.CharField(max_length=20, blank=True, db_index=True, validators=[single_line_text])
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[single_line_text])
    calendar_token = models.CharField(
        max_length=32,
        unique=True,
        default=ids.new_calendar_token,
        editable=False,
        help_text="Secret part of the student's calendar feed URL; rotate it to revoke old links.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="student"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrollment_no"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="student_email_unique_ci",
                violation_error_message="Another student already has this email address.",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1, year__lte=6),
                name="student_year_range",
                violation_error_message="The year of study is between 1 and 6.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_no} {self.full_name}"

    @classmethod
    def email_is_valid(cls, email: str) -> bool:
        """Whether ``email`` passes the email field's own validators (Django's email check and its length)."""
        try:
            cls._meta.get_field("email").run_validators(email)
        except ValidationError:
            return False
        return True


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"
    PENDING = "pending", "Awaiting approval"
    REJECTED = "rejected", "Rejected"


# Holding a seat or a waitlist place: what the maps, the counts and the seat rules see.
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
# A student holds at most one of these per event: an active registration, or one awaiting approval
# (which holds no seat, but the student cannot register again while it waits).
CURRENT_STATUSES = (*ACTIVE_STATUSES, RegistrationStatus.PENDING)


class TeamStatus(models.TextChoices):
    """A team forms (no seats held) until the leader and accepted members reach the event's minimum;
    then it is confirmed or waitlisted whole, like its members' registrations."""

    FORMING = "forming", "Forming"
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"
    PENDING = "pending", "Awaiting approval"
    REJECTED = "rejected", "Rejected"


# A team that is forming or holds (or awaits) its places: its name is taken and its members are in it.
LIVE_TEAM_STATUSES = (TeamStatus.FORMING, *CURRENT_STATUSES)


class Team(models.Model):
    team_id = models.CharField(primary_key=True, max_length=40)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE)
    name = models.CharField(max_length=100, validators=[single_line_text])
    leader = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="led_teams")
    status = models.CharField(max_length=12, choices=TeamStatus.choices)
    join_code = models.CharField(
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        help_text="Shared by the team's members with friends: whoever has it may join while there is room.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "team_id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "event",
                condition=Q(status__in=LIVE_TEAM_STATUSES),
                name="team_name_unique_per_event_ci",
                violation_error_message="Another team of this event already has this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """One student's place in one team: invited (``pending``), answered, in it, or gone.

    The leader and accepted members are the team; while it is confirmed or waitlisted each of
    them holds an active registration of the team. ``answers`` keeps what the member answered
    to the event's questions while the team forms; they become the registration's answer rows
    when the team takes its seats.
    """

    class State(models.TextChoices):
        LEADER = "leader", "Leader"
        ACCEPTED = "accepted", "Accepted"
        PENDING = "pending", "Invited"
        DECLINED = "declined", "Declined"
        LEFT = "left", "Left"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    # The team's event, kept here so that the database can hold "one team per student and event".
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, db_index=False)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, db_column="enrollment_no")
    state = models.CharField(max_length=8, choices=State.choices)
    answers = models.JSONField(default=dict, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team", "invited_at", "id"]
        indexes = [models.Index(fields=["student", "state"], name="team_membership_student_state")]
        constraints = [
            models.UniqueConstraint(fields=["team", "student"], name="team_membership_once_per_team"),
            models.UniqueConstraint(
                fields=["event", "student"],
                condition=Q(state__in=("leader", "accepted")),
                name="team_membership_one_team_per_event",
                violation_error_message="This student is already in a team of this event.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.team_id} ({self.state})"


IN_TEAM_STATES = (TeamMembership.State.LEADER, TeamMembership.State.ACCEPTED)


class Registration(models.Model):
    registration_id = models.CharField(primary_key=True, max_length=40)
    # No index of their own: the composite indexes below start with each of them.
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, db_index=False)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, db_column="enrollment_no", db_index=False)
    # Indexed only where set (below): most registrations have neither a team nor an access code.
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations", db_index=False
    )
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    checkin_code = models.CharField(max_length=16, null=True, blank=True, unique=True)
    waitlist_seq = models.PositiveIntegerField(null=True, blank=True, help_text="Order on the waitlist.")
    registered_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    access_code = models.ForeignKey(
        "AccessCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        db_index=False,
        help_text="The invitation code the student registered with.",
    )

    class Meta:
        ordering = ["registered_at", "registration_id"]
        indexes = [
            models.Index(fields=["event", "status", "student"], name="registration_event_status"),
            models.Index(fields=["event", "status", "waitlist_seq"], name="registration_waitlist_order"),
            models.Index(fields=["student", "event"], name="registration_student_event"),
            models.Index(fields=["team"], condition=Q(team__isnull=False), name="registration_team"),
            models.Index(
                fields=["access_code"], condition=Q(access_code__isnull=False), name="registration_access_code"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "student"],
                condition=Q(status__in=CURRENT_STATUSES),
                name="registration_one_active_per_student",
                violation_error_message="This student is already registered for this event.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} @ {self.event_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AccessCode(models.Model):
    """An invitation code of an invite-only event: each registration made with it is one use, up to ``max_uses``."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="access_codes", db_index=False)
    code = models.CharField(max_length=16)
    max_uses = models.PositiveIntegerField()
    uses = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="access_code_unique_per_event"),
            models.CheckConstraint(
                condition=Q(max_uses__gte=1) & Q(uses__lte=models.F("max_uses")),
                name="access_code_uses_within_max",
                violation_error_message="An access code is used at most as often as its limit.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.uses}/{self.max_uses})"

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.uses, 0)


class ScannerLink(models.Model):
    """A volunteer's way in at the door: it reads one event's check-in roster and marks its
    attendance, nothing else, until it expires or is revoked. Only the token's hash is kept."""

    link_id = models.CharField(primary_key=True, max_length=40, default=ids.new_scanner_link_id, editable=False)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="scanner_links")
    label = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "link_id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.event_id})"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class Attendance(models.Model):
    attendance_id = models.CharField(primary_key=True, max_length=40)
    # event and session: no index of their own, the index and the constraint below start with them.
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, db_index=False)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, db_column="enrollment_no")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE)
    session = models.ForeignKey("events.EventSession", on_delete=models.PROTECT, db_index=False)

    class Method(models.TextChoices):
        SCAN = "scan", "scanned"
        MANUAL = "manual", "typed by an organizer"
        SELF = "self", "self check-in"
        OFFLINE = "offline", "scanned offline"
        IMPORT = "import", "imported"

    marked_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The services always name the method; rows written around them (the legacy import's plain
    # INSERTs, fixtures) are history brought in, hence the database's default.
    method = models.CharField(max_length=8, choices=Method.choices, db_default=Method.IMPORT)
    scanner_link = models.ForeignKey(
        ScannerLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["marked_at", "attendance_id"]
        indexes = [models.Index(fields=["event", "student"], name="attendance_event_student")]
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], name="attendance_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} @ {self.event_id}/{self.session_id}"

    @property
    def marked_by_name(self) -> str | None:
        """A username, or ``link:<link_id>`` for a scanner link."""
        if self.scanner_link_id:
            return f"link:{self.scanner_link_id}"
        return self.marked_by.username if self.marked_by_id else None


class CheckinScan(models.Model):
    """One scan sent by a phone, kept with its answer so that sending it again answers the same."""

    class Status(models.TextChoices):
        MARKED = "marked"
        ALREADY_MARKED = "already_marked"
        REFUSED = "refused"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, db_index=False)
    scan_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices)
    code = models.CharField(max_length=40, blank=True, help_text="Why a scan was refused (an error code).")
    attendance = models.ForeignKey(Attendance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    enrollment_no = models.CharField(max_length=20, blank=True)
    scanned_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    scanner_link = models.ForeignKey(ScannerLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "scan_id"], name="checkin_scan_once_per_event")]

    def __str__(self) -> str:
        return f"{self.scan_id} @ {self.event_id}: {self.status}"


class Feedback(models.Model):
    COMMENTS_MAX_LENGTH = 2000

    feedback_id = models.CharField(primary_key=True, max_length=40)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, db_index=False)  # the constraint's index
    student = models.ForeignKey(Student, on_delete=models.PROTECT, db_column="enrollment_no")
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.SET_NULL)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1..5; empty only for imported history.")
    comments = models.TextField(blank=True, max_length=COMMENTS_MAX_LENGTH, validators=[multiline_text])
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "feedback"
        ordering = ["submitted_at", "feedback_id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "student"], name="feedback_once_per_event"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_range",
                violation_error_message="A rating is between 1 and 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} @ {self.event_id}: {self.rating}"


class FeedbackQuestion(models.Model):
    """An extra question on an event's feedback form; the overall rating stays on Feedback."""

    class Kind(models.TextChoices):
        RATING = "rating", "Rating (1 to 5)"
        TEXT = "text", "Free text"

    PROMPT_MAX_LENGTH = 300

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="feedback_questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.RATING)
    prompt = models.CharField(max_length=PROMPT_MAX_LENGTH, validators=[single_line_text])
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["event", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["rating", "text"]),
                name="feedback_question_kind_known",
                violation_error_message="A question asks for a rating or a text.",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt


class FeedbackAnswer(models.Model):
    """One answer to one question in one feedback: a rating or a text, never both."""

    TEXT_MAX_LENGTH = 2000

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FeedbackQuestion, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH, validators=[multiline_text])

    class Meta:
        ordering = ["feedback", "question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "question"], name="feedback_answer_once_per_question"),
            models.CheckConstraint(
                condition=(Q(rating__isnull=False, rating__gte=1, rating__lte=5, text=""))
                | (Q(rating__isnull=True) & ~Q(text="")),
                name="feedback_answer_rating_or_text",
                violation_error_message="An answer is either a rating between 1 and 5 or a text, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} / {self.question_id}"


class RegistrationAnswer(models.Model):
    """One answer of one registration to one of its event's questions (JSON: text, number, bool or list)."""

    registration = models.ForeignKey("Registration", on_delete=models.CASCADE, related_name="answers")
    # PROTECT: a question with answers is archived, never deleted.
    question = models.ForeignKey("events.EventQuestion", on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField()

    class Meta:
        ordering = ["registration", "question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="registration_answer_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} / {self.question_id}"

    @staticmethod
    def as_text(value: object) -> str:
        """An answer as a person reads it: lists joined, yes/no in words, blank for none."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)


class Notification(models.Model):
    """An email owed to a student, written in the same transaction as the change that owes it.

    The outbox: a committed change always has its row, a rolled-back one never does, and the
    sender (after the commit, or ``manage.py send_notifications``) renders each message from
    the current rows when it sends, retrying with a growing delay while the mail server fails.
    """

    class Kind(models.TextChoices):
        REGISTRATION_CONFIRMED = "registration_confirmed", "Registration confirmed"
        WAITLIST_PROMOTED = "waitlist_promoted", "Promoted from the waitlist"
        CERTIFICATE_ISSUED = "certificate_issued", "Certificate issued"
        EVENT_CANCELLED = "event_cancelled", "Event cancelled"
        SIGNUP_VERIFICATION = "signup_verification", "Sign-up email check"
        WAITLIST_JOINED = "waitlist_joined", "Joined the waitlist"
        REGISTRATION_CANCELLED = "registration_cancelled", "Registration cancelled"
        TEAM_INVITATION = "team_invitation", "Team invitation"
        EVENT_REMINDER = "event_reminder", "Event reminder"
        ANNOUNCEMENT = "announcement", "Announcement"
        REGISTRATION_OPENED = "registration_opened", "Registration opened"
        REGISTRATION_PENDING = "registration_pending", "Registration awaiting approval"
        REGISTRATION_REJECTED = "registration_rejected", "Registration rejected"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, db_column="enrollment_no")
    object_id = models.CharField(
        max_length=64, help_text="The registration, certificate, event or login the email is about."
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    due_at = models.DateTimeField(
        null=True, blank=True, help_text="Scheduled emails (reminders, registration opened): the time they are for."
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], condition=Q(state="pending"), name="notification_pending_due"
            ),
        ]
        constraints = [
            # A scheduled email is written once whoever schedules it and however often: the schedulers
            # insert with ON CONFLICT DO NOTHING against this.
            models.UniqueConstraint(
                fields=["kind", "student", "object_id", "due_at"],
                condition=Q(due_at__isnull=False),
                name="notification_scheduled_once",
                violation_error_message="This email is already scheduled for this student at that time.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.student_id} ({self.state})"
