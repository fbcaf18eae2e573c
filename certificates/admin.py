from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from certificates.models import REVOCATION_REASON_MAX, SIGNATORIES_MAX, Certificate, CertificateTemplate, RecordSnapshot
from certificates.services import (
    Signatory,
    certificate_issue,
    certificate_revoke,
    certificate_template_create,
    certificate_template_update,
    record_snapshot_revoke,
)
from eventsite.admin_tools import ServiceModelAdmin, export_as_csv
from eventsite.errors import ValidationFailed

DETAIL_FIELDS = (
    "certificate_id",
    "event",
    "student",
    "registration",
    "kind",
    "title",
    "issued_at",
    "issued_by",
    "verification",
    "revoked_at",
    "revoked_reason",
    "revoked_by",
)


class CertificateIssueForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ("event", "student", "kind", "title")

    kind = forms.ChoiceField(choices=Certificate.Kind.choices, required=False, initial=Certificate.Kind.PARTICIPATION)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Certificate.Kind.PARTICIPATION


def _revoke_reason_field(verification: str) -> forms.CharField:
    """The optional reason on a change page: filling it in revokes (``save_model``)."""
    return forms.CharField(
        required=False,
        max_length=REVOCATION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Fill in to revoke: {verification} will then say “revoked”. This cannot be undone.",
    )


class CertificateRevokeForm(forms.ModelForm):
    revoke_reason = _revoke_reason_field("public verification")

    class Meta:
        model = Certificate
        fields = ()


class RevokeReasonForm(forms.Form):
    reason = forms.CharField(max_length=REVOCATION_REASON_MAX, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class CertificateStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("valid", "Valid"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "valid":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(ServiceModelAdmin):
    list_display = ("certificate_id", "event", "student", "kind", "title", "issued_at", "is_valid", "revoked_at")
    list_filter = (CertificateStatusFilter, "kind", "event", "student__department")
    search_fields = ("certificate_id", "student__enrollment_no", "student__full_name", "title")
    list_select_related = ("event", "student")
    autocomplete_fields = ("student",)
    add_form = CertificateIssueForm
    add_fieldsets = ((None, {"fields": ("event", "student", "kind", "title")}),)
    form = CertificateRevokeForm
    actions = ["revoke_certificates", export_as_csv]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [(None, {"fields": DETAIL_FIELDS})]
        if not obj.is_revoked:
            fieldsets.append(("Revoke", {"fields": ("revoke_reason",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else DETAIL_FIELDS

    def has_delete_permission(self, request, obj=None):
        # A certificate is revoked, never deleted: verification must keep answering for it.
        return False

    @admin.display(description="valid", boolean=True)
    def is_valid(self, certificate: Certificate) -> bool:
        return not certificate.is_revoked

    @admin.display(description="public verification")
    def verification(self, certificate: Certificate) -> str:
        return format_html('<a href="{}">{}</a>', certificate.verify_path, certificate.verify_url)

    def save_model(self, request, obj, form, change):
        if not change:
            certificate, created = certificate_issue(
                event=form.cleaned_data["event"],
                enrollment_no=form.cleaned_data["student"].pk,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                actor=request.user,
            )
            obj.pk = certificate.pk
            obj.refresh_from_db()
            if not created:
                self.message_user(request, "This student already held this certificate.", messages.WARNING)
            return
        reason = form.cleaned_data.get("revoke_reason")
        if reason:
            certificate_revoke(
                event=obj.event, enrollment_no=obj.student_id, kind=obj.kind, reason=reason, actor=request.user
            )
            obj.refresh_from_db()

    @admin.action(description="Revoke selected certificates", permissions=["change"])
    def revoke_certificates(self, request, queryset):
        """Asks for one reason on a confirmation page, then revokes each certificate through the service."""
        valid = queryset.filter(revoked_at__isnull=True).select_related("event", "student")
        form = RevokeReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self.run_service_per_row(
                request,
                valid,
                lambda certificate: certificate_revoke(
                    event=certificate.event,
                    enrollment_no=certificate.student_id,
                    kind=certificate.kind,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                ),
                noun="certificate",
                done="revoked",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke certificates",
            "opts": self.model._meta,
            "certificates": valid,
            "already_revoked": queryset.count() - valid.count(),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/certificates/certificate/revoke_selected.html", context)


class CertificateTemplateAdminForm(forms.ModelForm):
    logo_upload = forms.FileField(label="Logo", required=False, help_text="PNG or JPEG; empty keeps the current one.")
    signature_1_upload = forms.FileField(label="Signature 1", required=False)
    signature_2_upload = forms.FileField(label="Signature 2", required=False)
    signature_3_upload = forms.FileField(label="Signature 3", required=False)

    class Meta:
        model = CertificateTemplate
        fields = ("club", "name", "institution", "accent_color", "body", "signatories")
        help_texts = {"signatories": 'A JSON list, at most three: [{"name": "Dr. A. Rao", "designation": "Principal"}]'}


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(ServiceModelAdmin):
    """Staff design any template here; the checks and the image cleaning are the services'."""

    form = CertificateTemplateAdminForm
    list_display = ("name", "institution", "club", "updated_at")
    list_filter = ("club",)
    search_fields = ("name", "institution")
    readonly_fields = ("preview",)

    @admin.display(description="preview")
    def preview(self, template: CertificateTemplate) -> str:
        if template.pk is None:
            return "Save first."
        url = reverse("certificate-template-preview", args=[template.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">The template with sample data (PDF)</a>', url)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        signatories = data.get("signatories") or []
        if not isinstance(signatories, list) or not all(isinstance(item, dict) for item in signatories):
            raise ValidationFailed.for_field("signatories", 'Give a JSON list such as [{"name": "A. Rao"}].')
        fields = {
            "name": data["name"],
            "institution": data["institution"],
            "accent_color": data["accent_color"],
            "body": data["body"],
            "signatories": [
                Signatory(name=str(item.get("name", "")), designation=str(item.get("designation", "")))
                for item in signatories
            ],
            "logo": data.get("logo_upload"),
            "signatures": {
                position: data[f"signature_{position}_upload"]
                for position in range(1, SIGNATORIES_MAX + 1)
                if data.get(f"signature_{position}_upload")
            },
        }
        if change:
            template = certificate_template_update(template=obj, actor=request.user, **fields)
        else:
            template = certificate_template_create(club=data.get("club"), actor=request.user, **fields)
        obj.pk = template.pk
        obj.refresh_from_db()


class RecordRevokeForm(forms.ModelForm):
    revoke_reason = _revoke_reason_field("its verification page")

    class Meta:
        model = RecordSnapshot
        fields = ()


@admin.register(RecordSnapshot)
class RecordSnapshotAdmin(ServiceModelAdmin):
    """Co-curricular records as handed out; staff withdraw one with a reason."""

    form = RecordRevokeForm
    list_display = ("snapshot_id", "student", "student_name", "issued_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("snapshot_id", "student__enrollment_no", "student_name")
    readonly_fields = ("snapshot_id", "student", "student_name", "issued_at", "verification", "lines", "revoked_at")

    def get_fields(self, request, obj=None):
        shown = list(self.readonly_fields)
        return shown if obj is not None and obj.is_revoked else [*shown, "revoke_reason"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Withdrawn, never deleted: the printed QR code must keep answering.
        return False

    @admin.display(description="public verification")
    def verification(self, snapshot: RecordSnapshot) -> str:
        return format_html('<a href="{}">{}</a>', snapshot.verify_path, snapshot.verify_url)

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("revoke_reason")
        if reason:
            record_snapshot_revoke(snapshot=obj, reason=reason, actor=request.user)
            obj.refresh_from_db()
