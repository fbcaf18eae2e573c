from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from events.calendars import event_ics, student_feed_ics
from events.models import Event
from registrations.selectors import student_by_calendar_token, student_calendar_entries
from registrations.services import student_calendar_token_rotate

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_calendar(request: HttpRequest, event_id: str) -> HttpResponse:
    """A published event as an .ics file anyone may download."""
    event = Event.objects.filter(pk=event_id, status=Event.Status.PUBLISHED).first()
    if event is None:
        raise Http404("No such published event.")
    response = HttpResponse(event_ics(event), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{event.pk}.ics"'
    return response


def student_calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: the token in the URL is the only credential, as calendar clients send no login."""
    student = student_by_calendar_token(token)
    if student is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        student_feed_ics(student.full_name, student_calendar_entries(student)), content_type=ICS_CONTENT_TYPE
    )
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def student_calendar_rotate(request: HttpRequest) -> HttpResponse:
    """Replace the logged-in student's feed URL, e.g. after sharing it by mistake."""
    student = getattr(request.user, "student", None)
    if student is None:
        raise Http404("Only students have a calendar feed.")
    student_calendar_token_rotate(student=student, actor=request.user)
    messages.success(request, "Your calendar link was replaced; subscribe again with the new one.")
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "home"
    return redirect(next_url)
