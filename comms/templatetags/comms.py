from django import template

from comms.models import OpeningAlert
from comms.selectors import announcement_list_visible

register = template.Library()


@register.simple_tag
def event_announcements(event, user):
    """The event's announcements the viewer may read (its organizers and its registrants), newest first."""
    return list(announcement_list_visible(event, user)[:20])


@register.simple_tag
def opening_alert_set(event, user) -> bool:
    """Whether the viewing student asked to be told when the event's registration opens."""
    student = getattr(user, "student", None) if user.is_authenticated else None
    return student is not None and OpeningAlert.objects.filter(event=event, student=student).exists()
