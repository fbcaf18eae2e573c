from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from comms.forms import AnnouncementForm, EmailPreferencesForm
from comms.models import Announcement
from comms.selectors import announcement_list_for_organizers
from comms.services import (
    announcement_recipients,
    announcement_send,
    announcement_validate,
    announcements_sent_today,
    email_preferences_of,
    email_preferences_set,
    email_unsubscribe,
    opening_alert_cancel,
    opening_alert_subscribe,
    unsubscribe_token_read,
)
from events.models import Event
from events.selectors import event_user_is_organizer
from eventsite.errors import DomainError
from eventsite.forms import form_add_domain_error

EMAILS_IN_WORDS = {"reminders": "reminder emails", "announcements": "announcements from organizers"}


@csrf_exempt  # the signed token is the credential; mail clients POST here without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST turns the emails off."""
    claim = unsubscribe_token_read(token)
    if claim is None:
        return render(request, "comms/unsubscribe_invalid.html", status=404)
    student, emails = claim
    context = {"student": student, "emails": EMAILS_IN_WORDS[emails], "token": token}
    if request.method == "POST":
        email_unsubscribe(token=token)
        return render(request, "comms/unsubscribed.html", context)
    return render(request, "comms/unsubscribe.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_email_preferences(request: HttpRequest) -> HttpResponse:
    student = getattr(request.user, "student", None)
    if student is None:
        return render(request, "registrations/not_a_student.html", status=403)
    preferences = email_preferences_of(student)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            email_preferences_set(student=student, **form.cleaned_data)
            messages.success(request, "Your email preferences are saved.")
            return redirect("my-email-preferences")
    else:
        form = EmailPreferencesForm(
            initial={"reminders": preferences.reminders, "announcements": preferences.announcements}
        )
    return render(request, "comms/email_preferences.html", {"form": form, "student": student})


def _organized_event(event_id: str, user) -> Event:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    if not event_user_is_organizer(event, user):
        raise PermissionDenied("Only this event's organizers can open this page.")
    return event


@login_required
@require_http_methods(["GET", "POST"])
def event_announcements(request: HttpRequest, event_id: str) -> HttpResponse:
    """Write, preview, then send an announcement; the ones sent before below."""
    event = _organized_event(event_id, request.user)
    form, preview, status = AnnouncementForm(), None, 200
    action = request.POST.get("action")
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
        if form.is_valid() and action in ("preview", "send"):
            try:
                draft = announcement_validate(**form.cleaned_data)
                if action == "send":
                    announcement = announcement_send(event=event, actor=request.user, **form.cleaned_data)
                    messages.success(
                        request,
                        f"Announcement queued for {announcement.recipients} "
                        f"student{'s' if announcement.recipients != 1 else ''}; it goes out in a minute or two.",
                    )
                    return redirect("event-announcements", event_id=event.pk)
                preview = {
                    "draft": draft,
                    "audience": Announcement.Audience(draft.audience).label,
                    "recipients": announcement_recipients(event, draft.audience).count(),
                }
            except DomainError as error:
                form_add_domain_error(form, error)
        if preview is None:
            status = 400 if form.errors else 200
    sent_today = announcements_sent_today(event, now=timezone.now())
    context = {
        "event": event,
        "manage_tab": "announcements",
        "analytics_url": reverse("event-analytics", args=[event.pk]),
        "form": form,
        "preview": preview,
        "announcements": announcement_list_for_organizers(event)[:50],
        "sent_today": sent_today,
        "per_day": settings.ANNOUNCEMENTS_PER_DAY,
    }
    return render(request, "comms/announcements.html", context, status=status)


@require_POST
def event_opening_alert(request: HttpRequest, event_id: str) -> HttpResponse:
    """ "Tell me when registration opens" (``action=watch``) and "stop" (``action=unwatch``)."""
    event = Event.objects.filter(pk=event_id, status=Event.Status.PUBLISHED).first()
    if event is None:
        raise Http404("No such event.")
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("event-detail", args=[event.pk]))
    student = getattr(request.user, "student", None)
    if student is None:
        messages.error(request, "Only students can be told when registration opens.")
    elif request.POST.get("action") == "unwatch":
        opening_alert_cancel(event=event, student=student)
        messages.info(request, "You will not be emailed when registration opens.")
    else:
        try:
            opening_alert_subscribe(event=event, student=student)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"We will email {student.email or 'you'} once, when registration opens.")
    return redirect("event-detail", event_id=event.pk)
