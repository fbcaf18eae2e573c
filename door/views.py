"""The scanner page: a plain ES module over the public API (static/door/scan.js)."""

from datetime import time, timedelta

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from door.forms import ScannerLinkForm
from door.selectors import scanner_link_for_token, scanner_link_list
from events.manage_nav import manage_context
from events.selectors import event_get, event_get_organized
from eventsite.errors import DomainError
from eventsite.forms import form_add_domain_error
from registrations.models import ScannerLink
from registrations.services import (
    SELF_CHECKIN_STEP,
    attendance_self_mark,
    scanner_link_create,
    scanner_link_revoke,
    scanner_link_token,
    self_checkin_token,
)

DOOR_FILES = ("door/scan.js", "door/scan.css", "door/manifest.webmanifest", "door/icon.svg", "vendor/jsqr/jsQR.js")


@login_required
@require_GET
def event_scan(request: HttpRequest, event_id: str) -> HttpResponse:
    """Organizers: the page talks to the API with their session (and its CSRF token)."""
    event = event_get_organized(event_id, request.user)
    get_token(request)  # the script sends the CSRF cookie back with its POSTs
    return render(request, "door/scan.html", {"event_id": event.pk, "title": event.title, "token": ""})


@require_GET
def scan_link(request: HttpRequest, token: str) -> HttpResponse:
    """Volunteers: the token in the address is the page's only credential; the API judges each request."""
    link = scanner_link_for_token(token)
    if link is None or not link.is_active():
        response = render(request, "door/link_revoked.html", status=401 if link is not None else 404)
    else:
        context = {"event_id": link.event_id, "title": link.event.title, "token": token}
        response = render(request, "door/scan.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    files = [static(name) for name in DOOR_FILES]
    response = render(request, "door/sw.js", {"files": files}, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_GET
def self_checkin_projector(request: HttpRequest, event_id: str) -> HttpResponse:
    """For a projector: a QR code that changes every SELF_CHECKIN_STEP seconds (the page reloads itself)."""
    event = event_get_organized(event_id, request.user)
    now = timezone.now()
    token = self_checkin_token(event=event, at=now)
    url = request.build_absolute_uri(reverse("door-self-checkin-mark", args=[event.pk, token]))
    qr = segno.make_qr(url, error="m").svg_inline(scale=10, border=2, omitsize=True, svgclass="self-qr", lineclass=None)
    context = {
        "event": event,
        "qr": mark_safe(qr),
        "url": url,
        "refresh": SELF_CHECKIN_STEP - int(now.timestamp()) % SELF_CHECKIN_STEP,
    }
    return render(request, "door/self_checkin.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def self_checkin_mark(request: HttpRequest, event_id: str, token: str) -> HttpResponse:
    """What the student's phone opens from the projector's code: one button, then the answer."""
    event = event_get(event_id)
    if request.method == "POST":
        try:
            attendance, created = attendance_self_mark(event=event, token=token, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            session = str(attendance.session)
            if created:
                messages.success(request, f"You are checked in for {event.title} ({session}).")
            else:
                messages.info(request, f"You were already checked in for {event.title} ({session}).")
            return redirect("my-events")
    return render(request, "door/self_checkin_mark.html", {"event": event, "token": token})


# Scanner links: the organizer's page


def _qr_svg(url: str) -> str:
    return mark_safe(segno.make_qr(url, error="m").svg_inline(scale=6, border=2, omitsize=True, svgclass="link-qr"))


def _until(link: ScannerLink) -> str:
    """ "the end of Fri 27 Nov 2026" for a link that stops at midnight, else the day and time."""
    local = timezone.localtime(link.expires_at)
    if local.time() == time(0):
        return "the end of " + date_format(local - timedelta(days=1), "D j M Y")
    return date_format(local, "D j M Y, H:i")


def _link_rows(request: HttpRequest, links: list[ScannerLink]) -> list[dict]:
    """Each link with its address and QR code while it works; a link whose token cannot be derived again
    (made before tokens were derived) is listed without them."""
    now = timezone.now()
    rows = []
    for link in links:
        active = link.is_active(now)
        token = scanner_link_token(link) if active else None
        url = request.build_absolute_uri(reverse("door-scan-link", args=[token])) if token else ""
        rows.append(
            {"link": link, "active": active, "url": url, "qr": _qr_svg(url) if url else "", "until": _until(link)}
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def scanner_links(request: HttpRequest, event_id: str) -> HttpResponse:
    """Create a link for a volunteer's phone, show each working one as a QR code, revoke them."""
    event = event_get_organized(event_id, request.user)
    form = ScannerLinkForm()
    status = 200
    if request.method == "POST":
        form = ScannerLinkForm(request.POST)
        if form.is_valid():
            try:
                link, _ = scanner_link_create(
                    event=event,
                    label=form.cleaned_data["label"],
                    expires_at=form.cleaned_data["expires_at"],
                    actor=request.user,
                )
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, f"Link “{link.label}” is ready: let the volunteer scan its QR code.")
                return redirect(f"{reverse('door-scanner-links', args=[event.pk])}#link-{link.pk}")
        status = 400
    links = scanner_link_list(event=event, actor=request.user)
    context = manage_context(event, "scanner-links") | {"form": form, "rows": _link_rows(request, links)}
    response = render(request, "door/scanner_links.html", context, status=status)
    response["Cache-Control"] = "private, no-store"  # the page holds working credentials
    return response


@login_required
@require_http_methods(["GET", "POST"])
def scanner_link_revoke_page(request: HttpRequest, event_id: str, link_id: str) -> HttpResponse:
    """Ask first, then revoke: the volunteer's phone is refused at its next request."""
    event = event_get_organized(event_id, request.user)
    link = ScannerLink.objects.filter(event=event, pk=link_id).first()
    if link is None:
        raise Http404("No such scanner link.")
    if request.method == "POST":
        scanner_link_revoke(event=event, link_id=link.pk, actor=request.user)
        messages.success(request, f"Link “{link.label}” is revoked: its phone stops at its next scan.")
        return redirect("door-scanner-links", event_id=event.pk)
    return render(request, "door/scanner_link_revoke.html", manage_context(event, "scanner-links") | {"link": link})
