"""Reads of comms: announcements as organizers and registrants see them."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from comms.models import Announcement
from events.models import Event
from events.selectors import event_user_is_organizer
from registrations.models import Registration


def announcement_list_for_organizers(event: Event) -> QuerySet[Announcement]:
    return Announcement.objects.filter(event=event).select_related("created_by").order_by("-created_at", "pk")


def announcement_list_visible(event: Event, user: User | AnonymousUser | None) -> QuerySet[Announcement]:
    """The announcements the viewer of the event page may read: its organizers and anyone who registered."""
    if event_user_is_organizer(event, user):
        return announcement_list_for_organizers(event)
    student = getattr(user, "student", None) if user is not None and user.is_authenticated else None
    if student is None or not Registration.objects.filter(event=event, student=student).exists():
        return Announcement.objects.none()
    return Announcement.objects.filter(event=event).order_by("-created_at", "pk")
