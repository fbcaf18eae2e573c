from django.db.models import Count, Q, QuerySet

from certificates.models import Certificate, CertificateTemplate, RecordSnapshot
from clubs.models import ClubMembership
from events.selectors import count_per_event, register_count
from eventsite.errors import NotFound


def certificate_get(certificate_id: str) -> Certificate:
    key = (certificate_id or "").strip()
    # Ids are typed by anyone: one that no column could hold (PostgreSQL refuses NUL) is simply unknown.
    if not key or len(key) > Certificate._meta.pk.max_length or "\x00" in key:
        raise NotFound.of("certificate", certificate_id)
    certificate = Certificate.objects.select_related("event__certificate_template", "student").filter(pk=key).first()
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
        "institution": event.certificate_template.institution if event.certificate_template_id else "",
    }


def certificate_list_for_event(event) -> QuerySet[Certificate]:
    """The event's certificates, newest first, with their students."""
    return Certificate.objects.filter(event=event).select_related("student").order_by("-issued_at", "certificate_id")


def certificate_counts(event) -> dict[str, int]:
    """``{"valid": n, "revoked": n}`` for the event, in one query."""
    return Certificate.objects.filter(event=event).aggregate(
        valid=Count("pk", filter=Q(revoked_at__isnull=True)), revoked=Count("pk", filter=Q(revoked_at__isnull=False))
    )


def certificate_template_list_managed(user) -> QuerySet[CertificateTemplate]:
    """The templates ``user`` designs: staff all of them, a club's owners the club's own."""
    if user is None or not user.is_authenticated:
        return CertificateTemplate.objects.none()
    templates = CertificateTemplate.objects.select_related("club")
    if user.is_staff:
        return templates
    owned = ClubMembership.objects.filter(user=user, role=ClubMembership.Role.OWNER).values("club_id")
    return templates.filter(club_id__in=owned)


def certificate_template_get_managed(template_id, user) -> CertificateTemplate:
    """One template the user designs; any other does not exist for them."""
    try:
        key = int(template_id)
    except (TypeError, ValueError):
        raise NotFound.of("certificate_template", str(template_id)) from None
    template = certificate_template_list_managed(user).filter(pk=key).first()
    if template is None:
        raise NotFound.of("certificate_template", str(template_id))
    return template


def record_snapshot_get(snapshot_id: str) -> RecordSnapshot:
    key = (snapshot_id or "").strip().upper()
    if not key or len(key) > RecordSnapshot._meta.pk.max_length or "\x00" in key:
        raise NotFound.of("record", snapshot_id)
    snapshot = RecordSnapshot.objects.filter(pk=key).first()
    if snapshot is None:
        raise NotFound.of("record", snapshot_id)
    return snapshot


def certificate_ids_held(*, event, enrollment_nos: list[str]) -> dict[str, list[str]]:
    """The valid certificates (every kind) these students hold at the event, oldest first, in one query."""
    held: dict[str, list[str]] = {}
    rows = (
        Certificate.objects.filter(event=event, student_id__in=enrollment_nos, revoked_at__isnull=True)
        .order_by("issued_at", "certificate_id")
        .values_list("student_id", "certificate_id")
    )
    for enrollment_no, certificate_id in rows:
        held.setdefault(enrollment_no, []).append(certificate_id)
    return held


def register_event_counts() -> None:
    """The certificates count of an event (API.md), for ``events.selectors.event_counts_annotate``."""
    valid = Certificate.objects.filter(revoked_at__isnull=True)
    register_count("certificates", "certificates_count", lambda: count_per_event(valid))
