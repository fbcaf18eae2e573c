from django import template

from comms.selectors import announcement_list_visible

register = template.Library()


@register.simple_tag
def event_announcements(event, user):
    """The event's announcements the viewer may read (its organizers and its registrants), newest first."""
    return list(announcement_list_visible(event, user)[:20])
