"""The certificates map of an event (``events.maps``, registered from ``CertificatesConfig.ready``)."""

from certificates.models import Certificate
from events.maps import RowMap, id_per_student, register_map


def certificates_map(event_pk: str) -> RowMap:
    """``{enrollment_no: certificate_id}`` of participation certificates, revoked ones excluded."""
    valid = Certificate.objects.filter(event_id=event_pk, revoked_at__isnull=True, kind=Certificate.Kind.PARTICIPATION)
    return id_per_student(valid, "certificate_id", "issued_at", "certificate_id")


def register() -> None:
    register_map("certificates", certificates_map)
