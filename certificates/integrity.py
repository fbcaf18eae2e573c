"""The certificates' consistency check, one of ``registrations.integrity``'s checks
(registered from ``CertificatesConfig.ready``)."""

from certificates import eligibility
from certificates.models import Certificate
from events.models import Event
from registrations.integrity import Problem, register_check, scoped


def check_certificates(event_ids: list[str] | None = None) -> list[Problem]:
    """Every valid (non-revoked) participation certificate is held by an eligible student.

    The event's attendance rule is filtered in SQL; each certificate found is explained by the
    same rule in Python (``certificates.eligibility``), a few queries per event concerned.
    """
    ineligible = (
        eligibility.eligibility_annotations(
            scoped(Certificate.objects.filter(revoked_at__isnull=True, kind=Certificate.Kind.PARTICIPATION), event_ids)
        )
        .exclude(eligibility.eligible_q())
        .values_list("certificate_id", "event_id", "student_id")
        .order_by("event_id", "student_id")
    )
    by_event: dict[str, list[tuple[str, str]]] = {}
    for certificate_id, event_id, student_id in ineligible:
        by_event.setdefault(event_id, []).append((certificate_id, student_id))
    problems = []
    for event in Event.objects.filter(pk__in=by_event).order_by("pk"):
        rows = by_event[event.pk]
        standings = eligibility.students_eligibility(event, [student_id for _, student_id in rows])
        for certificate_id, student_id in rows:
            why = standings[student_id].staff_message
            problems.append(
                Problem(
                    "CERTIFICATE_NOT_ELIGIBLE",
                    event.pk,
                    student_id,
                    f"Certificate {certificate_id} is valid. {why}",
                )
            )
    return problems


def register() -> None:
    register_check(check_certificates)
