"""Breakdowns added to an event's analytics: per session, per year of study, per feedback question.

Each is one aggregate query. Rates are over the event's confirmed registrations; the
years count active registrations (confirmed and waitlisted), as the departments do.
"""

from django.db.models import Avg, Count, Q

from events.models import Event, EventSession
from registrations.models import ACTIVE_STATUSES, FeedbackQuestion, Registration

UNKNOWN_YEAR = "unknown"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def attendance_by_session(event: Event, *, registered: int) -> list[dict]:
    """``[{"session", "title", "starts_at", "attended", "rate"}]`` in session order."""
    sessions = (
        EventSession.objects.filter(event=event)
        .annotate(attended=Count("attendance__student", distinct=True))
        .order_by("position", "id")
    )
    return [
        {
            "session": session.code,
            "title": session.title or session.code,
            "starts_at": session.starts_at.isoformat() if session.starts_at else None,
            "attended": session.attended,
            "rate": _rate(session.attended, registered),
        }
        for session in sessions
    ]


def registrations_by_year(event: Event) -> dict[str, int]:
    """``{year: active registrations}``, years in order, students without a year last as "unknown"."""
    rows = (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .values_list("student__year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict(rows)
    years = {str(year): counts[year] for year in sorted(year for year in counts if year is not None)}
    if None in counts:
        years[UNKNOWN_YEAR] = counts[None]
    return years


def question_averages(event: Event) -> list[dict]:
    """``[{"question_id", "prompt", "kind", "required", "answers", "average"}]`` in form order.

    ``average`` is the mean rating (two decimals) of a rating question, null for text
    questions and for rating questions nobody answered.
    """
    questions = (
        FeedbackQuestion.objects.filter(event=event)
        .annotate(answer_count=Count("answers"), average=Avg("answers__rating", filter=Q(kind="rating")))
        .order_by("position", "id")
    )
    return [
        {
            "question_id": question.pk,
            "prompt": question.prompt,
            "kind": question.kind,
            "required": question.required,
            "answers": question.answer_count,
            "average": round(question.average, 2) if question.average is not None else None,
        }
        for question in questions
    ]
