from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html

from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_revoke
from eventsite.admin_tools import ServiceModelAdmin, export_as_csv

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


class CertificateRevokeForm(forms.ModelForm):
    revoke_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Fill in to revoke: public verification will then say “revoked”. This cannot be undone.",
    )

    class Meta:
        model = Certificate
        fields = ()


class RevokeReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


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
