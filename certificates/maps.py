"""The certificates map of an event (``events.maps``, registered from ``CertificatesConfig.ready``)."""

from certificates.models import Certificate
from events.maps import RowMap, enrollment_key, first_or_missing, register_map


def certificates_map(event_pk: str) -> RowMap:
    """``{enrollment_no: certificate_id}`` of participation certificates, revoked ones excluded."""
    valid = Certificate.objects.filter(event_id=event_pk, revoked_at__isnull=True, kind=Certificate.Kind.PARTICIPATION)
    return RowMap(
        lambda: dict(valid.order_by("issued_at", "certificate_id").values_list("student_id", "certificate_id")),
        lambda enr: first_or_missing(valid.filter(student_id=enr).values_list("certificate_id", flat=True)),
        enrollment_key,
    )


def register() -> None:
    register_map("certificates", certificates_map)
