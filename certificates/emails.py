"""The email a new certificate's holder gets: a kind of the outbox (``registrations.notifications``),
registered from ``CertificatesConfig.ready``."""

from collections.abc import Iterable

from certificates.models import Certificate
from registrations import notifications
from registrations.models import Notification

Kind = Notification.Kind


def certificates_issued(certificates: Iterable[Certificate]) -> None:
    """Send each new certificate's holder its verification link."""
    notifications.owe(Kind.CERTIFICATE_ISSUED, [(c.student_id, c.pk) for c in certificates])


def _issued_load(batch: list[Notification]) -> dict[str, Certificate]:
    return Certificate.objects.select_related("event").in_bulk([n.object_id for n in batch])


def _issued_build(batch: notifications.Batch, notification: Notification, certificates: dict[str, Certificate]):
    certificate = certificates.get(notification.object_id)
    if certificate is None or certificate.revoked_at is not None:
        return notifications.NO_LONGER_SO
    student = notification.student
    context = {**batch.about(certificate.event), "student": student, "certificate": certificate}
    title = certificate.event.title
    return notifications.compose("certificate_issued", f"Your certificate: {title}", context, student.email)


def register() -> None:
    notifications.register_kind(Kind.CERTIFICATE_ISSUED, notifications.KindRenderer(_issued_load, _issued_build))
