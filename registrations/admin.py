import re

from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from events.models import EventSession
from eventsite.admin_tools import (
    ReadOnlyRowsMixin,
    ServiceModelAdmin,
    ViewOnlyRowsMixin,
    counted,
    domain_error_text,
    export_as_csv,
)
from eventsite.errors import DomainError, ValidationFailed
from registrations import notifications
from registrations.models import (
    ACTIVE_STATUSES,
    LIVE_TEAM_STATUSES,
    AccessCode,
    Attendance,
    Feedback,
    FeedbackQuestion,
    Notification,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
    Student,
    Team,
    TeamMembership,
)
from registrations.selectors import student_email_owner
from registrations.services import (
    attendance_mark,
    enrollment_no_normalize,
    feedback_submit,
    registration_approve,
    registration_cancel,
    registration_create,
    registration_reject,
    student_upsert,
    team_register,
)
from registrations.teams import team_cancel

STUDENT_FIELDS = ("enrollment_no", "full_name", "email", "department", "year", "phone")


def _adopt(obj, saved) -> None:
    """Make the admin's unsaved instance the row the service wrote (the admin redirects and logs with it)."""
    obj.pk = saved.pk
    obj.refresh_from_db()


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Students


class StudentForm(forms.ModelForm):
    class Meta:
        model = Student
        fields = STUDENT_FIELDS[1:]

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        owner = student_email_owner(email)
        if owner and owner != self.instance.enrollment_no:
            raise forms.ValidationError(f"Student {owner} already has this email.")
        return email


class StudentAddForm(StudentForm):
    class Meta:
        model = Student
        fields = STUDENT_FIELDS

    def clean_enrollment_no(self) -> str:
        try:
            enrollment_no = enrollment_no_normalize(self.cleaned_data["enrollment_no"])
        except ValidationFailed as error:
            raise forms.ValidationError(error.message) from error
        if Student.objects.filter(pk=enrollment_no).exists():
            raise forms.ValidationError(f"A student with enrollment number {enrollment_no} already exists.")
        return enrollment_no


class StudentRegistrationInline(ReadOnlyInline):
    model = Registration
    fields = ("registration_id", "event", "team", "status", "registered_at")
    readonly_fields = fields
    ordering = ("-registered_at",)
    verbose_name_plural = "registrations (every event)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "team")


@admin.register(Student)
class StudentAdmin(ServiceModelAdmin):
    list_display = ("enrollment_no", "full_name", "email", "department", "year", "has_login")
    list_filter = ("department", "year")
    search_fields = ("enrollment_no", "full_name", "email")
    form = StudentForm
    add_form = StudentAddForm
    add_fieldsets = ((None, {"fields": STUDENT_FIELDS}),)
    fields = (*STUDENT_FIELDS, "user", "created_at", "updated_at")
    readonly_fields = ("enrollment_no", "user", "created_at", "updated_at")
    inlines = [StudentRegistrationInline]
    actions = [export_as_csv]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # A student's records point at them; their history stays.
        return False

    @admin.display(description="login", boolean=True)
    def has_login(self, student: Student) -> bool:
        return student.user_id is not None

    def save_model(self, request, obj, form, change):
        saved, _ = student_upsert(
            enrollment_no=obj.enrollment_no, **{name: form.cleaned_data.get(name) for name in STUDENT_FIELDS[1:]}
        )
        _adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        """The registrations inline is read-only; nothing else to save."""


# Registrations and teams


class RegistrationAddForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = ("event", "student")
        help_texts = {"event": "An individual event; register teams under Teams."}


class RegistrationAnswerInline(ReadOnlyInline):
    """The answers given at registration, one row each, as the student gave them (edited nowhere)."""

    model = RegistrationAnswer
    fields = ("question", "answer")
    readonly_fields = fields
    show_change_link = False
    ordering = ("question__position", "question_id")
    verbose_name_plural = "answers to the event's questions"

    @admin.display(description="answer")
    def answer(self, row: RegistrationAnswer) -> str:
        return RegistrationAnswer.as_text(row.value)


@admin.register(Registration)
class RegistrationAdmin(ViewOnlyRowsMixin, ServiceModelAdmin):
    list_display = ("registration_id", "event", "student", "team", "status", "waitlist_seq", "registered_at")
    list_filter = ("status", "event", "student__department")
    search_fields = (
        "registration_id",
        "checkin_code",
        "student__enrollment_no",
        "student__full_name",
        "team__name",
    )
    list_select_related = ("event", "student", "team")
    autocomplete_fields = ("student",)
    add_form = RegistrationAddForm
    add_fieldsets = ((None, {"fields": ("event", "student")}),)
    actions = ["cancel_registrations", "approve_registrations", "reject_registrations", export_as_csv]
    inlines = [RegistrationAnswerInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("registrations.change_registration")

    def save_model(self, request, obj, form, change):
        registration = registration_create(
            event=form.cleaned_data["event"], enrollment_no=form.cleaned_data["student"].pk, actor=request.user
        )
        _adopt(obj, registration)
        if registration.status == RegistrationStatus.WAITLISTED:
            self.message_user(request, "The event is full: the student is on the waitlist.", messages.WARNING)

    @admin.action(description="Cancel selected registrations (a team is cancelled whole)", permissions=["cancel"])
    def cancel_registrations(self, request, queryset):
        cancelled = promoted = 0
        teams_done: set[str] = set()
        for registration in queryset.filter(status__in=ACTIVE_STATUSES).order_by("registered_at", "pk"):
            if registration.team_id in teams_done:
                continue
            try:
                result = registration_cancel(
                    event=registration.event_id, enrollment_no=registration.student_id, actor=request.user
                )
            except DomainError as error:
                self.message_user(request, f"{registration}: {domain_error_text(error)}", messages.ERROR)
                continue
            if registration.team_id:
                teams_done.add(registration.team_id)
            cancelled += len(result.cancelled)
            promoted += len(result.promoted)
        self.message_user(
            request,
            f"{counted(cancelled, 'registration')} cancelled, {promoted} promoted from the waitlist.",
            messages.SUCCESS,
        )

    def _decide(self, request, queryset, decide, verb: str) -> None:
        """Each pending registration through the service (a team once, whole); refusals are reported one by one."""
        decided = 0
        teams_done: set[str] = set()
        for registration in queryset.filter(status=RegistrationStatus.PENDING).order_by("registered_at", "pk"):
            if registration.team_id in teams_done:
                continue
            try:
                decide(registration=registration.pk, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{registration}: {domain_error_text(error)}", messages.ERROR)
                continue
            if registration.team_id:
                teams_done.add(registration.team_id)
            decided += 1
        self.message_user(request, f"{counted(decided, 'registration')} {verb}.", messages.SUCCESS)

    @admin.action(description="Approve selected registrations awaiting approval", permissions=["cancel"])
    def approve_registrations(self, request, queryset):
        self._decide(request, queryset, registration_approve, "approved")

    @admin.action(description="Reject selected registrations awaiting approval", permissions=["cancel"])
    def reject_registrations(self, request, queryset):
        self._decide(request, queryset, registration_reject, "rejected")


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyRowsMixin, admin.ModelAdmin):
    """Codes are made by the service (the event's Access codes page or the API); here they are looked up."""

    list_display = ("code", "event", "uses", "max_uses", "created_by", "created_at")
    list_filter = ("event",)
    search_fields = ("code", "event__event_id")
    list_select_related = ("event", "created_by")


class TeamAddForm(forms.ModelForm):
    members = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The other members' enrollment numbers, separated by commas, spaces or new lines.",
    )

    class Meta:
        model = Team
        fields = ("event", "name", "leader")

    def member_enrollment_nos(self) -> list[str]:
        return [value for value in re.split(r"[\s,;]+", self.cleaned_data.get("members") or "") if value]


class TeamStudentsInline(ReadOnlyInline):
    """A team's rows that each name a student, read with the student in the same query."""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student")


class TeamMembershipInline(TeamStudentsInline):
    model = TeamMembership
    fields = ("student", "state", "invited_at", "responded_at")
    readonly_fields = fields
    verbose_name = "invitation or membership"
    verbose_name_plural = "invitations and memberships"


class TeamMemberInline(TeamStudentsInline):
    model = Registration
    fields = ("registration_id", "student", "status", "registered_at")
    readonly_fields = fields
    verbose_name = "member"
    verbose_name_plural = "members"


@admin.register(Team)
class TeamAdmin(ViewOnlyRowsMixin, ServiceModelAdmin):
    list_display = ("name", "team_id", "event", "leader", "status", "members", "created_at")
    list_filter = ("status", "event", "leader__department")
    search_fields = ("name", "team_id", "leader__enrollment_no", "leader__full_name", "registrations__student__pk")
    list_select_related = ("event", "leader")
    autocomplete_fields = ("leader",)
    add_form = TeamAddForm
    add_fieldsets = ((None, {"fields": ("event", "name", "leader", "members")}),)
    inlines = [TeamMembershipInline, TeamMemberInline]
    actions = ["cancel_teams", export_as_csv]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("registrations"))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description="members", ordering="n_members")
    def members(self, team: Team) -> int:
        return team.n_members

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("registrations.change_registration")

    def save_model(self, request, obj, form, change):
        team = team_register(
            event=form.cleaned_data["event"],
            team_name=form.cleaned_data["name"],
            leader=form.cleaned_data["leader"].pk,
            members=form.member_enrollment_nos(),
            actor=request.user,
        )
        _adopt(obj, team)
        if team.status == RegistrationStatus.WAITLISTED:
            self.message_user(request, "The event is full: the team is on the waitlist.", messages.WARNING)

    def save_related(self, request, form, formsets, change):
        """The members were registered by team_register."""

    @admin.action(description="Cancel selected teams", permissions=["cancel"])
    def cancel_teams(self, request, queryset):
        self.run_service_per_row(
            request,
            queryset.filter(status__in=LIVE_TEAM_STATUSES),
            lambda team: team_cancel(team=team, actor=request.user),
            noun="team",
            done="cancelled",
        )


# Attendance and feedback


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session: EventSession) -> str:
        return f"{session.event_id} / {session.code}" + (f" ({session.title})" if session.title else "")


class AttendanceAddForm(forms.ModelForm):
    session = SessionChoiceField(
        queryset=EventSession.objects.order_by("event__starts_at", "event_id", "position"),
        required=False,
        help_text="Empty: the session under way now.",
    )

    class Meta:
        model = Attendance
        fields = ("event", "student", "session")

    def clean(self):
        cleaned_data = super().clean()
        event, session = cleaned_data.get("event"), cleaned_data.get("session")
        if event and session and session.event_id != event.pk:
            self.add_error("session", "This session belongs to another event.")
        return cleaned_data


@admin.register(Attendance)
class AttendanceAdmin(ViewOnlyRowsMixin, ServiceModelAdmin):
    list_display = ("attendance_id", "event", "student", "session", "marked_at", "marked_by")
    list_filter = ("event", "student__department")
    search_fields = ("attendance_id", "student__enrollment_no", "student__full_name")
    list_select_related = ("event", "student", "session", "marked_by")
    autocomplete_fields = ("student",)
    add_form = AttendanceAddForm
    add_fieldsets = ((None, {"fields": ("event", "student", "session")}),)
    actions = [export_as_csv]

    def save_model(self, request, obj, form, change):
        session = form.cleaned_data.get("session")
        attendance, created = attendance_mark(
            event=form.cleaned_data["event"],
            enrollment_no=form.cleaned_data["student"].pk,
            session=session.code if session else None,
            actor=request.user,
        )
        _adopt(obj, attendance)
        if not created:
            self.message_user(request, "This student was already checked in for this session.", messages.WARNING)


class FeedbackAddForm(forms.ModelForm):
    rating = forms.IntegerField(min_value=1, max_value=5)

    class Meta:
        model = Feedback
        fields = ("event", "student", "rating", "comments")


@admin.register(Feedback)
class FeedbackAdmin(ViewOnlyRowsMixin, ServiceModelAdmin):
    list_display = ("feedback_id", "event", "student", "rating", "comments_preview", "submitted_at")
    list_filter = ("event", "rating", "student__department")
    search_fields = ("feedback_id", "student__enrollment_no", "student__full_name", "comments")
    list_select_related = ("event", "student")
    autocomplete_fields = ("student",)
    add_form = FeedbackAddForm
    add_fieldsets = ((None, {"fields": ("event", "student", "rating", "comments")}),)
    actions = [export_as_csv]

    @admin.display(description="comments")
    def comments_preview(self, feedback: Feedback) -> str:
        return feedback.comments if len(feedback.comments) <= 80 else feedback.comments[:79] + "…"

    def save_model(self, request, obj, form, change):
        feedback = feedback_submit(
            event=form.cleaned_data["event"],
            enrollment_no=form.cleaned_data["student"].pk,
            rating=form.cleaned_data.get("rating"),
            comments=form.cleaned_data.get("comments") or "",
            actor=request.user,
        )
        _adopt(obj, feedback)


class FeedbackQuestionInline(admin.TabularInline):
    """The event's extra feedback questions, edited on the event's admin page."""

    model = FeedbackQuestion
    extra = 0
    fields = ("position", "kind", "prompt", "required")
    ordering = ("position", "id")


# Outbox


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRowsMixin, admin.ModelAdmin):
    """The email outbox, for staff to see what was sent, skipped or is failing, and to send again."""

    list_display = ("id", "kind", "student", "object_id", "state", "attempts", "created_at", "sent_at", "last_error")
    list_filter = ("state", "kind")
    search_fields = ("student__enrollment_no", "student__email", "object_id")
    list_select_related = ("student",)
    actions = ["send_again"]

    def has_send_permission(self, request) -> bool:
        return request.user.has_perm("registrations.change_notification")

    @admin.action(description="Send the selected emails again now", permissions=["send"])
    def send_again(self, request, queryset):
        queued = notifications.send_again(queryset.values_list("pk", flat=True))
        self.message_user(
            request, f"{counted(queued, 'email')} queued; the sender sends them within seconds.", messages.SUCCESS
        )
