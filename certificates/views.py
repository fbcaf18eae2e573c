"""Public verification of a certificate (by link or typed id) and the certificate's PDF."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from rest_framework.exceptions import AuthenticationFailed

from certificates.forms import VerifyForm
from certificates.models import Certificate
from certificates.pdf import certificate_pdf, event_dates_text
from certificates.selectors import certificate_get, certificate_public_view
from events.selectors import event_user_is_organizer
from eventsite.errors import NotFound
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


def certificate_pdf_download(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """The PDF for the certificate's student, its event's organizers and staff.

    Accepts a browser session or the API's ``Authorization: Token ...``. Anyone else gets
    404, as for an id that does not exist, so the page does not reveal which ids exist.
    """
    user = request.user
    if not user.is_authenticated:
        try:
            authenticated = StudentTokenAuthentication().authenticate(request)
        except AuthenticationFailed as error:
            response = HttpResponse(str(error.detail), status=401, content_type="text/plain; charset=utf-8")
            response["WWW-Authenticate"] = "Token"
            return response
        if authenticated is None:
            return redirect_to_login(request.get_full_path())
        user = authenticated[0]
    try:
        certificate = certificate_get(certificate_id)
    except NotFound as error:
        raise Http404("No such certificate.") from error
    if not _may_download(certificate, user):
        raise Http404("No such certificate.")
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.pk}.pdf"'
    return response
