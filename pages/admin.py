import json
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.utils.html import format_html, format_html_join

from certificates.services import certificate_issue_all_eligible
from events.models import Event, EventAuditEntry, EventPoster, EventQuestion, EventSession
from events.selectors import count_per_event, event_audit_trail, event_counts_annotate, event_poster_of
from events.services import (
    EVENT_FIELDS,
    AttendanceRuleSpec,
    QuestionSpec,
    SessionSpec,
    event_approve,
    event_cancel,
    event_create,
    event_poster_remove,
    event_poster_set,
    event_publish,
    event_update,
)
from eventsite.admin_tools import ReadOnlyRowsMixin, ServiceModelAdmin, export_as_csv, map_preview
from eventsite.images import ACCEPTED_CONTENT_TYPES
from registrations.admin import FeedbackQuestionInline
from registrations.forms import AdminLoginForm
from registrations.models import (
    FeedbackQuestion,
    Registration,
    RegistrationStatus,
)

admin.site.site_header = "College Events administration"
admin.site.site_title = "College Events admin"
admin.site.index_title = "Events, students and certificates"
admin.site.login_form = AdminLoginForm


class EventSessionInline(admin.TabularInline):
    model = EventSession
    fields = ("code", "title", "starts_at", "mandatory")
    ordering = ("position", "id")
    extra = 0
    verbose_name = "session"
    verbose_name_plural = "sessions (one day or slot each; none means one implicit session)"


class EventQuestionForm(forms.ModelForm):
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        required=False,
        help_text="Choice questions: one option per line.",
    )

    class Meta:
        model = EventQuestion
        fields = ("code", "label", "kind", "choices", "required")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices"] = "\n".join(self.instance.choices)

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]


class EventQuestionInline(admin.TabularInline):
    """Registration questions, written through the event services: a question with answers is archived, never lost."""

    model = EventQuestion
    form = EventQuestionForm
    fields = ("code", "label", "kind", "choices", "required")
    ordering = ("position", "id")
    extra = 0
    verbose_name = "registration question"
    verbose_name_plural = "registration questions (asked when registering; removing an answered one archives it)"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived=False)


@admin.register(EventAuditEntry)
class EventAuditEntryAdmin(ReadOnlyRowsMixin, admin.ModelAdmin):
    """Read-only: the services write the trail; nobody edits history."""

    list_display = ("at", "event", "actor_name", "action", "before", "after", "note")
    list_filter = ("action",)
    search_fields = ("event__event_id", "event__title", "actor_name")
    list_select_related = ("event",)
    date_hierarchy = "at"


MAP_FIELDS = (
    "registrations_map",
    "waitlist_map",
    "team_registrations_map",
    "attendances_map",
    "feedbacks_map",
    "certificates_map",
)


class EventAdminForm(forms.ModelForm):
    """The event, and its poster: uploaded through the same service as on the organizer's page."""

    poster_upload = forms.FileField(
        label="New poster",
        required=False,
        help_text="JPEG, PNG or WebP. Re-encoded without its metadata (EXIF, GPS); replaces the current one.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES}),
    )
    poster_alt_text = forms.CharField(
        label="What the poster shows", required=False, max_length=EventPoster.ALT_TEXT_MAX_LENGTH
    )
    poster_remove = forms.BooleanField(label="Remove the current poster", required=False)


def _event_action(service: Callable[..., Event], *, description: str, done: str):
    """An action of the event admin that calls ``service(event=..., actor=...)`` for each selected event;
    an event the service refuses is reported on its own and the others go on."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin: ServiceModelAdmin, request, queryset):
        modeladmin.run_service_per_row(
            request, queryset, lambda event: service(event=event, actor=request.user), noun="event", done=done
        )

    return action


@admin.register(Event)
class EventAdmin(ServiceModelAdmin):
    form = EventAdminForm
    list_display = (
        "title",
        "event_id",
        "starts_at",
        "status",
        "registered",
        "waitlisted",
        "teams",
        "attended",
        "feedback_count",
        "certificate_count",
    )
    list_filter = ("status", "club", "registration_mode", "waitlist_enabled")
    search_fields = ("event_id", "title", "venue")
    date_hierarchy = "starts_at"
    filter_horizontal = ("organizers",)
    inlines = [EventSessionInline, EventQuestionInline, FeedbackQuestionInline]
    actions = ["publish_events", "approve_events", "issue_certificates", "cancel_events", export_as_csv]

    def get_queryset(self, request):
        """The event counts of the API (``event_counts_annotate``), and the confirmed students counted
        from their rows rather than read from the ``confirmed_count`` counter."""
        return event_counts_annotate(super().get_queryset(request)).annotate(
            n_registered=count_per_event(Registration.objects.filter(status=RegistrationStatus.CONFIRMED))
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("event_id", "title", "description", "venue", "contact_email", "status")}),
            ("When", {"fields": ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")}),
            (
                "Registration",
                {"fields": ("registration_mode", "capacity", "waitlist_enabled", "team_size_min", "team_size_max")},
            ),
            (
                "Certificates",
                {
                    "fields": (
                        "attendance_rule_kind",
                        "min_sessions_for_certificate",
                        "attendance_percent",
                        "certificate_requires_feedback",
                    ),
                    "description": "Mandatory sessions are ticked in the sessions below.",
                },
            ),
            (
                "Who may register",
                {
                    "fields": ("eligible_departments", "eligible_years", "access_code_required", "approval_required"),
                    "description": 'Lists such as ["CSE", "ECE"] and [3, 4]; [] for everyone. '
                    "Access codes are made on the event's Access codes page.",
                },
            ),
            ("Organizers", {"fields": ("club", "organizers")}),
            ("Poster", {"fields": ("poster_preview", "poster_upload", "poster_alt_text", "poster_remove")}),
        ]
        if obj is not None:
            fieldsets.append(
                ("Counters and enrollment-keyed maps", {"fields": ("confirmed_count", "waitlist_counter", *MAP_FIELDS)})
            )
            fieldsets.append(("Audit trail", {"fields": ("audit_trail",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("poster_preview",)
        return ("event_id", "confirmed_count", "waitlist_counter", *MAP_FIELDS, "audit_trail", "poster_preview")

    @admin.display(description="current poster")
    def poster_preview(self, event: Event) -> str:
        poster = event_poster_of(event) if event.pk else None
        if poster is None:
            return "none"
        return format_html(
            '<img src="{}" alt="{}" style="max-height:12rem;max-width:100%"> {}×{}',
            poster.get_absolute_url(),
            poster.alt_for(event),
            poster.width,
            poster.height,
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organizers":
            # Student logins can run to thousands and are not organizers; keep the chooser to staff-side users.
            kwargs["queryset"] = User.objects.filter(student__isnull=True).order_by("username")
            kwargs["help_text"] = "Users who may check students in and issue certificates for this event."
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Deleting an event would erase its registrations, attendance and certificates; cancel it instead.
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("attendance_rule_kind", "attendance_percent"):
            field.required = False  # left out: the event keeps its rule
        return field

    def save_model(self, request, obj, form, change):
        """Written with its sessions in save_related: event_create/event_update take both at once."""

    def save_related(self, request, form, formsets, change):
        sessions = None
        questions = None
        mandatory: tuple[str, ...] | None = None
        for formset in formsets:
            if formset.model is EventQuestion:
                formset.save(commit=False)
                questions = [
                    QuestionSpec(
                        code=question_form.cleaned_data["code"],
                        label=question_form.cleaned_data["label"],
                        kind=question_form.cleaned_data["kind"],
                        choices=tuple(question_form.cleaned_data.get("choices") or ()),
                        required=bool(question_form.cleaned_data.get("required")),
                    )
                    for question_form in formset.forms
                    if question_form.cleaned_data and question_form not in formset.deleted_forms
                ]
            if formset.model is EventSession:
                # commit=False writes nothing; it records the changes for the admin's history message.
                formset.save(commit=False)
                sessions = [
                    SessionSpec(
                        code=session_form.cleaned_data["code"],
                        title=session_form.cleaned_data.get("title") or "",
                        starts_at=session_form.cleaned_data.get("starts_at"),
                    )
                    for session_form in formset.forms
                    if session_form.cleaned_data and session_form not in formset.deleted_forms
                ]
                mandatory = tuple(
                    session_form.cleaned_data["code"]
                    for session_form in formset.forms
                    if session_form.cleaned_data
                    and session_form not in formset.deleted_forms
                    and session_form.cleaned_data.get("mandatory")
                )
        fields = {name: form.cleaned_data[name] for name in EVENT_FIELDS if name in form.cleaned_data}
        rule = None
        if form.cleaned_data.get("attendance_rule_kind"):
            current = form.instance.sessions.filter(mandatory=True) if form.instance.pk else EventSession.objects.none()
            rule = AttendanceRuleSpec(
                kind=form.cleaned_data["attendance_rule_kind"],
                n=fields.pop("min_sessions_for_certificate", form.instance.min_sessions_for_certificate),
                percent=form.cleaned_data.get("attendance_percent") or 100,
                sessions=mandatory if mandatory is not None else tuple(current.values_list("code", flat=True)),
            )
        organizers = [user.username for user in form.cleaned_data.get("organizers", [])]
        club = form.cleaned_data.get("club")
        if change:
            event = event_update(
                event=form.instance,
                sessions=sessions,
                attendance_rule=rule,
                organizers=organizers,
                club=club.pk if club else None,
                questions=questions,
                actor=request.user,
                **fields,
            )
        else:
            event = event_create(
                event_id=form.instance.event_id,
                sessions=sessions,
                attendance_rule=rule,
                organizers=organizers,
                club=club.pk if club else None,
                questions=questions,
                actor=request.user,
                **fields,
            )
        for formset in formsets:
            if formset.model is FeedbackQuestion:
                formset.instance = event
                formset.save()
        if form.cleaned_data.get("poster_upload"):
            event_poster_set(
                event=event,
                upload=form.cleaned_data["poster_upload"],
                alt_text=form.cleaned_data.get("poster_alt_text") or "",
                actor=request.user,
            )
        elif form.cleaned_data.get("poster_remove"):
            event_poster_remove(event=event, actor=request.user)

    @admin.display(description="registered", ordering="n_registered")
    def registered(self, event: Event) -> str:
        return f"{event.n_registered} / {event.capacity}" if event.capacity is not None else str(event.n_registered)

    @admin.display(description="waitlisted", ordering="waitlisted_count")
    def waitlisted(self, event: Event) -> int:
        return event.waitlisted_count

    @admin.display(description="teams", ordering="teams_count")
    def teams(self, event: Event) -> int:
        return event.teams_count

    @admin.display(description="attended", ordering="attended_count")
    def attended(self, event: Event) -> int:
        return event.attended_count

    @admin.display(description="feedback", ordering="feedbacks_count")
    def feedback_count(self, event: Event) -> int:
        return event.feedbacks_count

    @admin.display(description="certificates", ordering="certificates_count")
    def certificate_count(self, event: Event) -> int:
        return event.certificates_count

    @admin.display(description="who changed what (latest first)")
    def audit_trail(self, event: Event) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    entry.at.strftime("%Y-%m-%d %H:%M"),
                    entry.actor_name or "system",
                    entry.get_action_display(),
                    json.dumps(entry.before) if entry.before is not None else "",
                    json.dumps(entry.after) if entry.after is not None else "",
                    entry.note,
                )
                for entry in event_audit_trail(event)
            ),
        )
        if not rows:
            return "Nothing recorded yet."
        return format_html(
            "<table><thead><tr><th>when</th><th>who</th><th>what</th><th>before</th><th>after</th><th>note</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="registrations {enrollment_no: registration_id}")
    def registrations_map(self, event: Event) -> str:
        return map_preview(event.registrations)

    @admin.display(description="waitlist {enrollment_no: registration_id}")
    def waitlist_map(self, event: Event) -> str:
        return map_preview(event.waitlist)

    @admin.display(description="team_registrations {team: {enrollment_no: registration_id}}")
    def team_registrations_map(self, event: Event) -> str:
        return map_preview(event.team_registrations)

    @admin.display(description="attendances {enrollment_no: [attendance_id, ...]}")
    def attendances_map(self, event: Event) -> str:
        return map_preview(event.attendances)

    @admin.display(description="feedbacks {enrollment_no: feedback_id}")
    def feedbacks_map(self, event: Event) -> str:
        return map_preview(event.feedbacks)

    @admin.display(description="certificates {enrollment_no: certificate_id}")
    def certificates_map(self, event: Event) -> str:
        return map_preview(event.certificates)

    @admin.action(description="Issue certificates to all eligible", permissions=["change"])
    def issue_certificates(self, request, queryset):
        for event in queryset:
            result = certificate_issue_all_eligible(event=event, actor=request.user, listing=False)
            self.message_user(
                request,
                f"{event.title}: {result.created} issued, {result.holders - result.created} already held, "
                f"{result.not_issued} skipped (not eligible or revoked).",
                messages.SUCCESS,
            )

    publish_events = _event_action(event_publish, description="Publish selected events", done="published")
    approve_events = _event_action(
        event_approve, description="Approve selected events awaiting approval", done="approved"
    )
    cancel_events = _event_action(event_cancel, description="Cancel selected events", done="cancelled")
