"""What the organizer pages of an event share (``templates/_manage_nav.html``), whichever app serves them."""

from django.urls import reverse

from events.models import Event


def manage_context(event: Event, active: str) -> dict:
    """What the organizer pages' sub-navigation needs."""
    return {"event": event, "manage_tab": active, "analytics_url": reverse("event-analytics", args=[event.pk])}
