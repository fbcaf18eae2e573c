"""Who may hold a certificate: the one statement of the rule.

The services (issuing one or all), the integrity checks and the legacy importer's warnings all
ask ``certificate_ineligibility``; none of them restates it.
"""

from events.models import Event


def certificate_sessions_required(event: Event) -> int:
    return max(event.min_sessions_for_certificate, 1)


def certificate_ineligibility(
    event: Event, *, confirmed: bool, sessions_attended: int, gave_feedback: bool
) -> dict | None:
    """Why a student is not eligible for the event's certificate (None when they are).

    ``{"reason": "not_confirmed" | "not_enough_sessions" | "feedback_required", ...}``: the
    details of NOT_ELIGIBLE.
    """
    if not confirmed:
        return {"reason": "not_confirmed"}
    required = certificate_sessions_required(event)
    if sessions_attended < required:
        return {"reason": "not_enough_sessions", "sessions_attended": sessions_attended, "sessions_required": required}
    if event.certificate_requires_feedback and not gave_feedback:
        return {"reason": "feedback_required"}
    return None
