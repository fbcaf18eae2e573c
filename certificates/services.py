"""Certificate issue (one, named students of a kind, or all eligible) and revocation."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates import eligibility, emails
from certificates.models import PARTICIPANT_KINDS, TITLE_MAX_LENGTH, Certificate, CertificateKind
from events.models import Event
from eventsite import ids
from eventsite.errors import NotEligible, NotFound, ValidationFailed
from eventsite.text import multiline_text, single_line_text, text_errors
from registrations.models import Registration, RegistrationStatus, Student
from registrations.services import Actor, enrollment_no_normalize, ensure_organizer, event_lock


def _new_certificate(
    event: Event,
    enrollment_no: str,
    registration: Registration | None,
    actor: Actor,
    now,
    kind: str = CertificateKind.PARTICIPATION,
    title: str = "",
) -> Certificate:
    return Certificate(
        certificate_id=ids.new_certificate_id(),
        event=event,
        student_id=enrollment_no,
        registration=registration,
        kind=kind,
        title=title,
        issued_at=now,
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )


def certificate_kind_and_title(kind: str, title: str | None) -> tuple[str, str]:
    """A valid kind and its cleaned title: merit needs one ("Winner", "First runner-up")."""
    if kind not in CertificateKind.values:
        raise ValidationFailed.for_field("kind", f"Choose one of: {', '.join(CertificateKind.values)}.")
    title = " ".join((title or "").split())
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationFailed.for_field("title", f"At most {TITLE_MAX_LENGTH} characters.")
    problems = text_errors({"title": (title, single_line_text)})
    if problems:
        raise ValidationFailed("The title is not valid.", details=problems)
    if kind == CertificateKind.MERIT and not title:
        raise ValidationFailed.for_field("title", "A merit certificate needs a title, such as \u201cWinner\u201d.")
    return kind, title


def _revoked(certificate: Certificate) -> NotEligible:
    return NotEligible(
        "This student's certificate of this kind was revoked.", details={"reason": "revoked", "kind": certificate.kind}
    )


def certificate_issue(
    *,
    event: Event,
    enrollment_no: str,
    kind: str = CertificateKind.PARTICIPATION,
    title: str = "",
    actor: Actor = None,
) -> tuple[Certificate, bool]:
    """Issue the student's certificate of this kind; returns ``(certificate, created)``.

    Participation needs the event's attendance rule; merit a confirmed registration and a
    title; volunteer and organizer certificates only the student. Issuing again returns the
    existing certificate of that kind. A revoked certificate is not re-issued silently:
    that is NOT_ELIGIBLE with reason ``revoked``.
    """
    ensure_organizer(actor, event)
    kind, title = certificate_kind_and_title(kind, title)
    enr = enrollment_no_normalize(enrollment_no)
    existing = Certificate.objects.filter(event=event, student_id=enr, kind=kind).first()
    if existing is not None:
        if existing.is_revoked:
            raise _revoked(existing)
        return existing, False
    # The registration's row lock keeps a cancellation from slipping in between the check and the write.
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .filter(event=event, student_id=enr, status=RegistrationStatus.CONFIRMED)
            .first()
        )
        if kind in PARTICIPANT_KINDS and registration is None:
            raise NotEligible(
                "This student is not eligible: they have no confirmed registration.",
                details={"reason": "not_confirmed", "missing": ["a confirmed registration"]},
            )
        if kind == CertificateKind.PARTICIPATION:
            standing = eligibility.student_eligibility(event, enr, confirmed=True)
            if not standing.eligible:
                raise NotEligible(standing.staff_message, details=standing.error_details())
        if registration is None and not Student.objects.filter(pk=enr).exists():
            raise NotFound.of("student", enr)
        certificate = _new_certificate(event, enr, registration, actor, timezone.now(), kind, title)
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
                emails.certificates_issued([certificate])
        except IntegrityError:
            return Certificate.objects.get(event=event, student_id=enr, kind=kind), False
    return certificate, True


@dataclass
class BulkIssueResult:
    issued: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    created: int = 0


def certificate_issue_all_eligible(*, event: Event, actor: Actor = None) -> BulkIssueResult:
    """Issue participation certificates to every eligible confirmed student, in a fixed number of queries.

    ``issued`` lists every holder of a valid certificate afterwards (new or earlier);
    ``skipped`` gives the code for the others: NOT_ELIGIBLE, or CERTIFICATE_REVOKED.
    """
    ensure_organizer(actor, event)
    with transaction.atomic():
        # Event first, then its registrations, in the order a cancellation takes them: no cancellation
        # slips in between the check and the write, and a single issue under way finishes first.
        event_lock(event)
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
        held = {
            cert.student_id: cert
            for cert in Certificate.objects.filter(event=event, kind=CertificateKind.PARTICIPATION)
        }
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
            certificate = _new_certificate(event, enr, registration, actor, now)
            new.append(certificate)
            result.issued[enr] = certificate.certificate_id
        _store_new(new, result)
    return result


def certificate_issue_many(
    *,
    event: Event,
    enrollment_nos: list[str],
    kind: str = CertificateKind.PARTICIPATION,
    title: str = "",
    actor: Actor = None,
) -> BulkIssueResult:
    """Issue certificates of one kind (one title) to the students named, in a fixed number of queries.

    Each gets what ``certificate_issue`` would give them; ``skipped`` names why the others
    got none: NOT_ELIGIBLE, CERTIFICATE_REVOKED or NOT_FOUND (no such student).
    """
    ensure_organizer(actor, event)
    kind, title = certificate_kind_and_title(kind, title)
    wanted = list(dict.fromkeys(enrollment_no_normalize(enr) for enr in enrollment_nos))
    with transaction.atomic():
        event_lock(event)
        confirmed = {
            registration.student_id: registration
            for registration in Registration.objects.select_for_update()
            .filter(event=event, student_id__in=wanted, status=RegistrationStatus.CONFIRMED)
            .order_by("registered_at", "pk")
        }
        known = set(Student.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if kind == CertificateKind.PARTICIPATION:
            allowed = set(
                eligibility.eligibility_annotations(Registration.objects.filter(event=event, student_id__in=wanted))
                .filter(eligibility.eligible_q())
                .values_list("student_id", flat=True)
            )
        elif kind in PARTICIPANT_KINDS:
            allowed = set(confirmed)
        else:
            allowed = known
        held = {
            cert.student_id: cert for cert in Certificate.objects.filter(event=event, kind=kind, student_id__in=wanted)
        }
        now = timezone.now()
        result = BulkIssueResult()
        new: list[Certificate] = []
        for enr in wanted:
            if enr in held:
                if held[enr].is_revoked:
                    result.skipped[enr] = "CERTIFICATE_REVOKED"
                else:
                    result.issued[enr] = held[enr].certificate_id
            elif enr not in known:
                result.skipped[enr] = NotFound.code
            elif enr not in allowed:
                result.skipped[enr] = NotEligible.code
            else:
                certificate = _new_certificate(event, enr, confirmed.get(enr), actor, now, kind, title)
                new.append(certificate)
                result.issued[enr] = certificate.certificate_id
        _store_new(new, result)
    return result


def _store_new(new: list[Certificate], result: BulkIssueResult) -> None:
    """Write a bulk issue's new certificates at once and owe each student their email."""
    Certificate.objects.bulk_create(new, batch_size=500)
    emails.certificates_issued(new)
    result.created = len(new)


def certificate_revoke(
    *,
    event: Event,
    enrollment_no: str,
    reason: str,
    kind: str = CertificateKind.PARTICIPATION,
    actor: Actor = None,
) -> Certificate:
    """Revoke the student's certificate of this kind, keeping the row with the reason and time.

    Revoking again changes nothing."""
    ensure_organizer(actor, event)
    enr = enrollment_no_normalize(enrollment_no)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", "Give a reason for the revocation.")
    problems = text_errors({"reason": (reason, multiline_text)})
    if problems:
        raise ValidationFailed("The reason is not valid.", details=problems)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(event=event, student_id=enr, kind=kind).first()
        if certificate is None:
            raise NotFound.of("certificate", enr)
        if not certificate.is_revoked:
            certificate.revoked_at = timezone.now()
            certificate.revoked_reason = reason[:2000]
            certificate.revoked_by = actor if actor is not None and actor.is_authenticated else None
            certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return certificate


def certificates_revoke_cancelled(*, event: Event, enrollment_nos: list[str], at, by) -> None:
    """A cancelled registration leaves no participation or merit certificate standing (``registrations.hooks``)."""
    Certificate.objects.filter(
        event=event,
        student_id__in=enrollment_nos,
        revoked_at__isnull=True,
        kind__in=PARTICIPANT_KINDS,
    ).update(revoked_at=at, revoked_reason="Registration cancelled.", revoked_by=by)


def _participation_certificates(event: Event):
    return Certificate.objects.filter(event=event, revoked_at__isnull=True, kind=Certificate.Kind.PARTICIPATION)


def event_change_keeps_certificates(*, event: Event, changed: set[str]) -> dict[str, list[str]]:
    """Certificates issued under an event's rules forbid making those rules stricter (``events.hooks``)."""
    errors: dict[str, list[str]] = {}
    tightened = changed & {"min_sessions_for_certificate", "certificate_requires_feedback"}
    if tightened and _participation_certificates(event).exists():
        before = Event.objects.filter(pk=event.pk).values(*tightened).get()
        stricter = "Certificates were already issued under the current rules; they cannot be made stricter."
        if event.min_sessions_for_certificate > before.get(
            "min_sessions_for_certificate", event.min_sessions_for_certificate
        ):
            errors["min_sessions_for_certificate"] = [stricter]
        if event.certificate_requires_feedback and not before.get("certificate_requires_feedback", True):
            errors["certificate_requires_feedback"] = [stricter]
    return errors


def event_rule_keeps_certificates(*, event: Event) -> str | None:
    """Nobody loses a participation certificate because the rule or the sessions were changed afterwards
    (``events.hooks``)."""
    lost = (
        eligibility.eligibility_annotations(_participation_certificates(event))
        .exclude(eligibility.eligible_q())
        .count()
    )
    if lost:
        return f"{lost} certificate holder{'s' if lost != 1 else ''} would no longer meet the rule."
    return None
