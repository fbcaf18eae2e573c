"""The scanner page: a plain ES module over the public API (static/door/scan.js)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from door.selectors import scanner_link_for_token
from events.views import organized_event

DOOR_FILES = ("door/scan.js", "door/scan.css", "door/manifest.webmanifest", "door/icon.svg", "vendor/jsqr/jsQR.js")


@login_required
@require_GET
def event_scan(request: HttpRequest, event_id: str) -> HttpResponse:
    """Organizers: the page talks to the API with their session (and its CSRF token)."""
    event = organized_event(event_id, request.user)
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
