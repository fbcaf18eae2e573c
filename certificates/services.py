"""Certificate eligibility, issue (one or all eligible) and revocation."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates import eligibility
from certificates.models import Certificate
from events.models import Event
from eventsite import ids
from eventsite.errors import NotEligible, NotFound, ValidationFailed
from registrations import notifications
from registrations.models import Registration, RegistrationStatus
from registrations.services import Actor, _ensure_organizer, _event_lock, enrollment_no_normalize


def _new_certificate(event: Event, registration: Registration, actor: Actor, now) -> Certificate:
    return Certificate(
        certificate_id=ids.new_certificate_id(),
        event=event,
        student_id=registration.student_id,
        registration=registration,
        issued_at=now,
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )


def certificate_issue(*, event: Event, enrollment_no: str, actor: Actor = None) -> tuple[Certificate, bool]:
    """Issue the student's certificate; returns ``(certificate, created)``.

    Issuing again returns the existing certificate. A revoked certificate is not
    re-issued silently: that is NOT_ELIGIBLE with reason ``revoked``.
    """
    _ensure_organizer(actor, event)
    enr = enrollment_no_normalize(enrollment_no)
    existing = Certificate.objects.filter(event=event, student_id=enr).first()
    if existing is not None:
        if existing.is_revoked:
            raise NotEligible("This student's certificate was revoked.", details={"reason": "revoked"})
        return existing, False
    # The registration's row lock keeps a cancellation from slipping in between the check and the write.
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .filter(event=event, student_id=enr, status=RegistrationStatus.CONFIRMED)
            .first()
        )
        if registration is None:
            raise NotEligible(details={"reason": "not_confirmed"})
        standing = eligibility.student_eligibility(event, enr, confirmed=True)
        if not standing.eligible:
            raise NotEligible(standing.staff_message, details=standing.error_details())
        certificate = _new_certificate(event, registration, actor, timezone.now())
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
                notifications.certificates_issued([certificate])
        except IntegrityError:
            return Certificate.objects.get(event=event, student_id=enr), False
    return certificate, True


@dataclass
class BulkIssueResult:
    issued: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    created: int = 0


def certificate_issue_all_eligible(*, event: Event, actor: Actor = None) -> BulkIssueResult:
    """Issue certificates to every eligible confirmed student, in a fixed number of queries.

    ``issued`` lists every holder of a valid certificate afterwards (new or earlier);
    ``skipped`` gives the code for the others: NOT_ELIGIBLE, or CERTIFICATE_REVOKED.
    """
    _ensure_organizer(actor, event)
    with transaction.atomic():
        # Event first, then its registrations, in the order a cancellation takes them: no cancellation
        # slips in between the check and the write, and a single issue under way finishes first.
        _event_lock(event)
        confirmed = list(
            Registration.objects.select_for_update()
            .filter(event=event, status=RegistrationStatus.CONFIRMED)
            .order_by("registered_at", "pk")
        )
        now = timezone.now()
        eligible = set(
            eligibility.eligibility_annotations(Registration.objects.filter(event=event))
            .filter(eligibility.eligible_q())
            .values_list("student_id", flat=True)
        )
        held = {cert.student_id: cert for cert in Certificate.objects.filter(event=event)}
        result = BulkIssueResult()
        new: list[Certificate] = []
        for registration in confirmed:
            enr = registration.student_id
            if enr in held:
                if held[enr].is_revoked:
                    result.skipped[enr] = "CERTIFICATE_REVOKED"
                else:
                    result.issued[enr] = held[enr].certificate_id
                continue
            if enr not in eligible:
                result.skipped[enr] = NotEligible.code
                continue
            certificate = _new_certificate(event, registration, actor, now)
            new.append(certificate)
            result.issued[enr] = certificate.certificate_id
        Certificate.objects.bulk_create(new, batch_size=500)
        notifications.certificates_issued(new)
        result.created = len(new)
    return result


def certificate_revoke(*, event: Event, enrollment_no: str, reason: str, actor: Actor = None) -> Certificate:
    """Revoke a certificate, keeping the row with the reason and time. Revoking again changes nothing."""
    _ensure_organizer(actor, event)
    enr = enrollment_no_normalize(enrollment_no)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", "Give a reason for the revocation.")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(event=event, student_id=enr).first()
        if certificate is None:
            raise NotFound.of("certificate", enr)
        if not certificate.is_revoked:
            certificate.revoked_at = timezone.now()
            certificate.revoked_reason = reason[:2000]
            certificate.revoked_by = actor if actor is not None and actor.is_authenticated else None
            certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return certificate
