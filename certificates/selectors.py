from django.db.models import Count, Q, QuerySet

from certificates.models import Certificate
from events.selectors import count_per_event, register_count
from eventsite.errors import NotFound


def certificate_get(certificate_id: str) -> Certificate:
    key = (certificate_id or "").strip()
    # Ids are typed by anyone: one that no column could hold (PostgreSQL refuses NUL) is simply unknown.
    if not key or len(key) > Certificate._meta.pk.max_length or "\x00" in key:
        raise NotFound.of("certificate", certificate_id)
    certificate = Certificate.objects.select_related("event", "student").filter(pk=key).first()
    if certificate is None:
        raise NotFound.of("certificate", certificate_id)
    return certificate


def certificate_public_view(certificate: Certificate) -> dict:
    """What anyone may see of a certificate: no contacts, no enrollment number."""
    event = certificate.event
    return {
        "certificate_id": certificate.certificate_id,
        "valid": not certificate.is_revoked,
        "status": certificate.status,
        "student_name": certificate.student.full_name,
        "event_title": event.title,
        "event_dates": {"starts_at": event.starts_at, "ends_at": event.ends_at},
        "issued_at": certificate.issued_at,
        "kind": certificate.kind,
        "title": certificate.title,
        "heading": certificate.heading,
    }


def certificate_list_for_event(event) -> QuerySet[Certificate]:
    """The event's certificates, newest first, with their students."""
    return Certificate.objects.filter(event=event).select_related("student").order_by("-issued_at", "certificate_id")


def certificate_counts(event) -> dict[str, int]:
    """``{"valid": n, "revoked": n}`` for the event, in one query."""
    return Certificate.objects.filter(event=event).aggregate(
        valid=Count("pk", filter=Q(revoked_at__isnull=True)), revoked=Count("pk", filter=Q(revoked_at__isnull=False))
    )


def register_event_counts() -> None:
    """The certificates count of an event (API.md), for ``events.selectors.event_counts_annotate``."""
    valid = Certificate.objects.filter(revoked_at__isnull=True)
    register_count("certificates", "certificates_count", lambda: count_per_event(valid))
