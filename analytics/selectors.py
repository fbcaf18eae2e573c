"""What an event's organizers watch: counts, attendance, sign-ups over time, departments, feedback,
and for the charts of the analytics page: attendance per session, years of study and the
average per feedback question (``events.analytics_breakdowns``).

``event_analytics`` answers in a fixed number of aggregate queries, whatever the event's size.
Each part is its own small function so that more figures (for charts) join the dict the same way.
"""

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate

from analytics.breakdowns import attendance_by_session, question_averages, registrations_by_year
from events.models import Event
from events.selectors import event_counts
from registrations.models import ACTIVE_STATUSES, Feedback, Registration

RATINGS = range(1, 6)
UNKNOWN_DEPARTMENT = "unknown"


def _attendance_rate(counts: dict[str, int]) -> float | None:
    """Share of confirmed students who attended at least one session; None before anyone registers."""
    if not counts["registered"]:
        return None
    return round(min(counts["attended"] / counts["registered"], 1.0), 4)


def _registrations_by_day(event: Event) -> dict[str, int]:
    """Active registrations by the day (in the college's time zone) they were made."""
    day = TruncDate("registered_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    rows = (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .annotate(day=day)
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
        .values_list("day", "n")
    )
    return {registered_on.isoformat(): n for registered_on, n in rows}


def _departments(event: Event) -> dict[str, int]:
    """Active registrations by the student's department, largest first."""
    rows = (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .values("student__department")
        .annotate(n=Count("pk"))
        .order_by("-n", "student__department")
        .values_list("student__department", "n")
    )
    return {department or UNKNOWN_DEPARTMENT: n for department, n in rows}


def _feedback(event: Event) -> dict[str, Any]:
    """How many gave feedback, the average rating and how many gave each rating (imported
    feedback without a rating counts, but not in the average)."""
    by_rating = dict(
        Feedback.objects.filter(event=event)
        .values("rating")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("rating", "n")
    )
    histogram = {str(rating): by_rating.get(rating, 0) for rating in RATINGS}
    rated = sum(histogram.values())
    total = sum(rating * n for rating, n in by_rating.items() if rating is not None)
    return {
        "count": sum(by_rating.values()),
        "average": round(total / rated, 2) if rated else None,
        "histogram": histogram,
    }


def event_analytics(event: Event) -> dict[str, Any]:
    counts = event_counts(event)
    return {
        "event_id": event.pk,
        "counts": counts,
        "attendance_rate": _attendance_rate(counts),
        "registrations_by_day": _registrations_by_day(event),
        "departments": _departments(event),
        "feedback": _feedback(event),
        "certificates_issued": counts["certificates"],
        "attendance_by_session": attendance_by_session(event, registered=counts["registered"]),
        "years": registrations_by_year(event),
        "questions": question_averages(event),
    }
