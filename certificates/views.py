"""Public verification of a certificate (by link or typed id) and of a co-curricular record, the
certificate's PDF, and the pages where staff and club owners design certificate templates."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import AuthenticationFailed

from certificates.forms import TEMPLATE_FIELD_ALIASES, TemplateForm, VerifyForm
from certificates.models import Certificate, CertificateTemplate
from certificates.pdf import Design, certificate_pdf, event_dates_text, template_preview_pdf
from certificates.selectors import (
    certificate_get,
    certificate_public_view,
    certificate_template_get_managed,
    certificate_template_list_managed,
    record_snapshot_get,
)
from certificates.services import certificate_template_create, certificate_template_draft, certificate_template_update
from clubs.models import Club
from clubs.selectors import club_list_owned_by, club_list_visible
from events.selectors import event_user_is_organizer
from eventsite.errors import DomainError, NotFound
from eventsite.forms import form_add_domain_error
from registrations.authentication import StudentTokenAuthentication


def certificate_verify_form(request: HttpRequest) -> HttpResponse:
    """Type a certificate id; a valid-looking one goes to its verification page."""
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("certificate-verify", certificate_id=form.cleaned_data["certificate_id"])
    status = 400 if form.is_bound else 200
    return render(request, "certificates/verify.html", {"form": form, "searched": False}, status=status)


def certificate_verify(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """Anyone may check a certificate: valid or revoked, the name, the event and its dates; nothing else."""
    form = VerifyForm(initial={"certificate_id": certificate_id})
    try:
        view = certificate_public_view(certificate_get(certificate_id))
    except NotFound:
        # Issued ids are upper case; one typed in lower case still finds its certificate.
        if certificate_id != certificate_id.upper():
            try:
                found = certificate_get(certificate_id.upper())
            except NotFound:
                pass
            else:
                return redirect("certificate-verify", certificate_id=found.pk)
        context = {"form": form, "searched": True, "certificate_id": certificate_id, "certificate": None}
        return render(request, "certificates/verify.html", context, status=404)
    view["event_dates_text"] = event_dates_text(view["event_dates"]["starts_at"], view["event_dates"]["ends_at"])
    return render(request, "certificates/verify.html", {"form": form, "searched": True, "certificate": view})


def _may_download(certificate: Certificate, user) -> bool:
    return certificate.student.user_id == user.pk or event_user_is_organizer(certificate.event, user)


def _session_or_token_user(request: HttpRequest):
    """``(user, None)`` from the browser session or the API's ``Authorization: Token ...``;
    ``(None, response)`` when neither: a 401 for a bad token, else the login page."""
    if request.user.is_authenticated:
        return request.user, None
    try:
        authenticated = StudentTokenAuthentication().authenticate(request)
    except AuthenticationFailed as error:
        response = HttpResponse(str(error.detail), status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = "Token"
        return None, response
    if authenticated is None:
        return None, redirect_to_login(request.get_full_path())
    return authenticated[0], None


def certificate_pdf_download(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """The PDF for the certificate's student, its event's organizers and staff.

    Accepts a browser session or the API's ``Authorization: Token ...``. Anyone else gets
    404, as for an id that does not exist, so the page does not reveal which ids exist.
    """
    user, refusal = _session_or_token_user(request)
    if refusal is not None:
        return refusal
    try:
        certificate = certificate_get(certificate_id)
    except NotFound as error:
        raise Http404("No such certificate.") from error
    if not _may_download(certificate, user):
        raise Http404("No such certificate.")
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.pk}.pdf"'
    return response


def record_verify(request: HttpRequest, snapshot_id: str) -> HttpResponse:
    """Anyone holding a printed record checks it: what it said when it was handed out, and whether it stands."""
    try:
        snapshot = record_snapshot_get(snapshot_id)
    except NotFound:
        context = {"snapshot": None, "snapshot_id": snapshot_id}
        return render(request, "certificates/record_verify.html", context, status=404)
    return render(request, "certificates/record_verify.html", {"snapshot": snapshot})


# Template design (staff; a club's owners for the club)


def _clubs_designed_by(user) -> list[Club]:
    """The clubs whose templates ``user`` may design: staff every club, others the clubs they own."""
    if user.is_staff:
        return list(club_list_visible(user))
    return list(club_list_owned_by(user))


def _template_managed(template_id: int, user) -> CertificateTemplate:
    try:
        return certificate_template_get_managed(template_id, user)
    except NotFound:
        raise Http404("No such template.") from None


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _sample_verify_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("certificate-verify", args=["SAMPLE0000000000"]))


@login_required
def certificate_template_list(request: HttpRequest) -> HttpResponse:
    """The templates the user designs; a club's organizers learn here who designs them."""
    can_design = request.user.is_staff or bool(_clubs_designed_by(request.user))
    if not can_design and not club_list_visible(request.user).exists():
        raise PermissionDenied("Only staff and club owners design certificate templates.")
    templates = certificate_template_list_managed(request.user)
    return render(request, "certificates/templates.html", {"templates": templates, "can_design": can_design})


def _template_form_page(request, *, form, template=None, status=200) -> HttpResponse:
    return render(request, "certificates/template_form.html", {"form": form, "template": template}, status=status)


def _template_from_form(
    form: TemplateForm, service: Callable[..., CertificateTemplate], **arguments
) -> CertificateTemplate | None:
    """What ``service`` (create, update or draft) makes of the valid form's fields and files; None when
    it refuses, its error then shown on the form next to the field it is about."""
    try:
        return service(**arguments, **form.service_arguments(), **form.uploads())
    except DomainError as error:
        form_add_domain_error(form, error, field_aliases=TEMPLATE_FIELD_ALIASES)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def certificate_template_new(request: HttpRequest) -> HttpResponse:
    clubs = _clubs_designed_by(request.user)
    if not clubs and not request.user.is_staff:
        raise PermissionDenied("Only staff and club owners design certificate templates.")
    options = {"clubs": clubs, "allow_college_wide": request.user.is_staff}
    if request.method == "GET":
        initial = {"club": request.GET.get("club", "")}
        return _template_form_page(request, form=TemplateForm(initial=initial, **options))
    form = TemplateForm(request.POST, request.FILES, **options)
    if form.is_valid():
        club = next((club for club in clubs if club.pk == form.cleaned_data["club"]), None)
        template = _template_from_form(form, certificate_template_create, club=club, actor=request.user)
        if template is not None:
            messages.success(request, f"{template.name} is saved. Preview it, then choose it on an event's edit page.")
            return redirect("certificate-template-edit", template_id=template.pk)
    return _template_form_page(request, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def certificate_template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template_managed(template_id, request.user)
    if request.method == "GET":
        form = TemplateForm(initial=TemplateForm.initial_of(template))
        return _template_form_page(request, form=form, template=template)
    form = TemplateForm(request.POST, request.FILES)
    if form.is_valid():
        saved = _template_from_form(form, certificate_template_update, template=template, actor=request.user)
        if saved is not None:
            messages.success(request, f"The template {saved.name} is saved.")
            return redirect("certificate-template-edit", template_id=saved.pk)
    return _template_form_page(request, form=form, template=template, status=400)


def certificate_template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """The saved template drawn with sample data (the API's ``preview_url``: a session or a token)."""
    user, refusal = _session_or_token_user(request)
    if refusal is not None:
        return refusal
    template = _template_managed(template_id, user)
    content = template_preview_pdf(Design.of(template), verify_url=_sample_verify_url(request))
    return _pdf_response(content, f"template-{template.pk}-preview.pdf")


@login_required
@require_POST
def certificate_template_preview_draft(request: HttpRequest) -> HttpResponse:
    """What the form says now, drawn with sample data, before anything is saved."""
    template, clubs = None, []
    if request.POST.get("template_id"):
        template = _template_managed(request.POST["template_id"], request.user)
        form = TemplateForm(request.POST, request.FILES)
    else:
        clubs = _clubs_designed_by(request.user)
        form = TemplateForm(request.POST, request.FILES, clubs=clubs, allow_college_wide=request.user.is_staff)
    if form.is_valid():
        club = next((club for club in clubs if club.pk == form.cleaned_data.get("club")), None)
        draft = _template_from_form(form, certificate_template_draft, template=template, club=club, actor=request.user)
        if draft is not None:
            content = template_preview_pdf(Design.of(draft), verify_url=_sample_verify_url(request))
            return _pdf_response(content, "template-preview.pdf")
    return _template_form_page(request, form=form, template=template, status=400)
