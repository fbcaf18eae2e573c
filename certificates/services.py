"""Certificate issue (one, named students of a kind, or all eligible) and revocation; the
templates certificates are drawn with; the snapshots that make a co-curricular record verifiable."""

import hashlib
import json
import re
import string
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from certificates import eligibility, emails
from certificates.images import LOGO_SIDE, SIGNATURE_SIDE, image_clean
from certificates.models import (
    DEFAULT_BODY,
    PARTICIPANT_KINDS,
    PLACEHOLDERS,
    REVOCATION_REASON_MAX,
    SIGNATORIES_MAX,
    TITLE_MAX_LENGTH,
    Certificate,
    CertificateKind,
    CertificateTemplate,
    RecordSnapshot,
)
from clubs.models import Club
from clubs.selectors import club_user_can_manage_members
from events.models import Event
from eventsite import ids
from eventsite.errors import NotAuthenticated, NotEligible, NotFound, PermissionDenied, ValidationFailed
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
    """What a bulk issue did. ``issued`` and ``skipped`` name every student (empty when the caller
    asked for counts only); ``holders`` and ``not_issued`` count them either way."""

    issued: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    created: int = 0
    holders: int = 0
    not_issued: int = 0


# Registrations read, certificates and outbox rows written per round of a bulk issue: the
# memory a bulk issue holds is this many rows, whatever the event's size.
ISSUE_CHUNK = 500


def certificate_issue_all_eligible(*, event: Event, actor: Actor = None, listing: bool = True) -> BulkIssueResult:
    """Issue participation certificates to every eligible confirmed student, all or none.

    One transaction under the event's lock; the eligible students still without a participation
    certificate are read, locked, checked and written ``ISSUE_CHUNK`` at a time, so memory and
    queries grow with the new certificates' chunks, not with the event. With ``listing``,
    ``issued`` names every holder of a valid certificate afterwards (new or earlier) and
    ``skipped`` gives the code for the others: NOT_ELIGIBLE, or CERTIFICATE_REVOKED; without it
    (pages, admin) only the counts are filled and nothing per student is kept.
    """
    ensure_organizer(actor, event)
    result = BulkIssueResult()
    with transaction.atomic():
        # Every cancellation takes the event's lock first: none slips in between the check and the
        # write of any chunk. A single issue under way holds its registration: the chunk's lock
        # waits for it, and the certificates read after the lock see what it wrote.
        event_lock(event)
        now = timezone.now()
        unissued = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).exclude(
            Exists(
                Certificate.objects.filter(
                    event_id=OuterRef("event_id"), student_id=OuterRef("student_id"), kind=CertificateKind.PARTICIPATION
                )
            )
        )
        # Only the students who look eligible are read, in one query whose rows arrive (and, on
        # PostgreSQL, are locked) a chunk at a time: an event's absentees cost no round.
        candidates = (
            eligibility.eligibility_annotations(unissued)
            .filter(eligibility.eligible_q())
            .select_for_update(of=("self",))
            .order_by("pk")
            .iterator(chunk_size=ISSUE_CHUNK)
        )
        while chunk := list(islice(candidates, ISSUE_CHUNK)):
            result.created += _issue_chunk(event, chunk, actor, now)
        _bulk_outcome(event, result, listing=listing)
    return result


def _issue_chunk(event: Event, chunk: list[Registration], actor: Actor, now) -> int:
    """Issue to the eligible students of these locked registrations who hold no certificate yet.

    Both are read again now that the rows are locked: a single issue that held one of them has
    finished, and its certificate is seen here rather than written twice."""
    students = [registration.student_id for registration in chunk]
    held = set(
        Certificate.objects.filter(
            event=event, kind=CertificateKind.PARTICIPATION, student_id__in=students
        ).values_list("student_id", flat=True)
    )
    eligible = set(
        eligibility.eligibility_annotations(Registration.objects.filter(pk__in=[r.pk for r in chunk]))
        .filter(eligibility.eligible_q())
        .values_list("student_id", flat=True)
    )
    new = [
        _new_certificate(event, r.student_id, r, actor, now)
        for r in chunk
        if r.student_id in eligible and r.student_id not in held
    ]
    return _store_new(new)


def _bulk_outcome(event: Event, result: BulkIssueResult, *, listing: bool) -> None:
    """Every confirmed student's standing after a bulk issue, read back from the rows written."""
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    participation = Certificate.objects.filter(
        event_id=OuterRef("event_id"), student_id=OuterRef("student_id"), kind=CertificateKind.PARTICIPATION
    )
    valid = participation.filter(revoked_at__isnull=True)
    if not listing:
        counts = confirmed.aggregate(total=Count("pk"), holders=Count("pk", filter=Exists(valid)))
        result.holders, result.not_issued = counts["holders"], counts["total"] - counts["holders"]
        return
    rows = (
        confirmed.annotate(
            certificate_id=Subquery(participation.values("certificate_id")[:1]),
            revoked=Exists(participation.filter(revoked_at__isnull=False)),
        )
        .order_by("registered_at", "pk")
        .values_list("student_id", "certificate_id", "revoked")
    )
    for enr, certificate_id, revoked in rows.iterator(chunk_size=ISSUE_CHUNK):
        if certificate_id is None:
            result.skipped[enr] = NotEligible.code
        elif revoked:
            result.skipped[enr] = "CERTIFICATE_REVOKED"
        else:
            result.issued[enr] = certificate_id
    result.holders, result.not_issued = len(result.issued), len(result.skipped)


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
        result.created = _store_new(new)
    return result


def _store_new(new: list[Certificate]) -> int:
    """Write a bulk issue's new certificates at once and owe each student their email; how many were written."""
    Certificate.objects.bulk_create(new, batch_size=ISSUE_CHUNK)
    emails.certificates_issued(new)
    return len(new)


def _revocation_reason(reason: str | None) -> str:
    """A revocation's reason, trimmed: required, plain text like any other a user writes, and kept
    up to ``REVOCATION_REASON_MAX`` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", "Give a reason for the revocation.")
    problems = text_errors({"reason": (reason, multiline_text)})
    if problems:
        raise ValidationFailed("The reason is not valid.", details=problems)
    return reason[:REVOCATION_REASON_MAX]


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
    reason = _revocation_reason(reason)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(event=event, student_id=enr, kind=kind).first()
        if certificate is None:
            raise NotFound.of("certificate", enr)
        if not certificate.is_revoked:
            certificate.revoked_at = timezone.now()
            certificate.revoked_reason = reason
            certificate.revoked_by = actor if actor is not None and actor.is_authenticated else None
            certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return certificate


# Templates


@dataclass(frozen=True)
class Signatory:
    name: str
    designation: str = ""


# An uploaded file (or its bytes), read and cleaned by certificates.images.
Upload = IO[bytes] | bytes
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PLACEHOLDER_LIST = ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def certificate_template_body_problem(body: str) -> str | None:
    """Why the wording cannot be used, in words an organizer can act on; None when it can."""
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        return (
            "A brace is not closed or stands alone. Write placeholders as {student_name}; "
            "for a literal brace write {{ or }}."
        )
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            return f"{shown} is not a placeholder. Use only {_PLACEHOLDER_LIST}."
    return None


def _template_field_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    limits = {"name": 100, "institution": 200}
    for name, limit in limits.items():
        if name in values:
            text = " ".join((values[name] or "").split())
            values[name] = text
            if not text:
                errors[name] = ["This field is required."]
            elif len(text) > limit:
                errors[name] = [f"At most {limit} characters."]
    if "accent_color" in values and not HEX_COLOR.match(values["accent_color"] or ""):
        errors["accent_color"] = ["Give a hex colour such as #1f5f8b."]
    if "body" in values:
        body = (values["body"] or "").strip()
        values["body"] = body
        problem = "This field is required." if not body else certificate_template_body_problem(body)
        if problem is None and len(body) > 1000:
            problem = "At most 1000 characters."
        if problem:
            errors["body"] = [problem]
    if "signatories" in values:
        signatories = values["signatories"]
        if len(signatories) > SIGNATORIES_MAX:
            errors["signatories"] = [f"At most {SIGNATORIES_MAX} signatories."]
        cleaned = []
        for position, signatory in enumerate(signatories[:SIGNATORIES_MAX], start=1):
            name, designation = " ".join(signatory.name.split()), " ".join(signatory.designation.split())
            if not name:
                errors[f"signatories.{position}.name"] = ["Each signatory needs a name."]
            elif len(name) > 100 or len(designation) > 100:
                errors[f"signatories.{position}"] = ["A name and a designation have at most 100 characters each."]
            cleaned.append({"name": name, "designation": designation})
        values["signatories"] = cleaned
    errors.update(
        text_errors(
            {
                name: (values[name], multiline_text if name == "body" else single_line_text)
                for name in ("name", "institution", "body")
                if name in values
            }
        )
    )
    errors.update(
        text_errors(
            {
                f"signatories.{position}": (f"{item['name']} {item['designation']}", single_line_text)
                for position, item in enumerate(values.get("signatories", []), start=1)
            }
        )
    )
    return errors


def _ensure_designer(actor: Actor, club: Club | None) -> None:
    """Staff design any template; a club's owners design the club's own."""
    if actor is None:
        return
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if actor.is_staff:
        return
    if club is None:
        raise PermissionDenied("Only staff design college-wide templates; choose your club.")
    if not club_user_can_manage_members(club, actor):
        raise PermissionDenied("Only the club's owners and staff design the club's certificate templates.")


def _template_images_apply(
    template: CertificateTemplate, *, logo: Upload | None, signatures: dict[int, Upload]
) -> None:
    """Clean and store the uploads; a signature belongs to the signatory in the same position."""
    for position in signatures:
        if not 1 <= position <= SIGNATORIES_MAX:
            raise ValidationFailed.for_field(
                f"signature_{position}", f"Signatures are numbered 1 to {SIGNATORIES_MAX}."
            )
        if position > len(template.signatories):
            raise ValidationFailed.for_field(
                f"signature_{position}", f"There is no signatory {position}: add their name to the signatories first."
            )
    if logo is not None:
        template.logo = image_clean(logo, field="logo", max_side=LOGO_SIDE)
    for position, data in signatures.items():
        setattr(
            template, f"signature_{position}", image_clean(data, field=f"signature_{position}", max_side=SIGNATURE_SIDE)
        )
    for position in range(len(template.signatories) + 1, SIGNATORIES_MAX + 1):
        setattr(template, f"signature_{position}", None)


TEMPLATE_FIELDS = ("name", "institution", "accent_color", "body", "signatories")


def certificate_template_draft(
    *,
    template: CertificateTemplate | None = None,
    club: Club | None = None,
    logo: Upload | None = None,
    signatures: dict[int, Upload] | None = None,
    actor: Actor = None,
    **changes: Any,
) -> CertificateTemplate:
    """``template`` (or a new one of ``club``) with the changes applied and checked, not saved.

    What create and update store, and what a preview draws before anything is saved. Images
    are raw uploads, cleaned here; a new template takes the defaults for what is not given.
    """
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown template fields: {sorted(unknown)}")
    _ensure_designer(actor, template.club if template is not None else club)
    values = dict(changes)
    if "signatories" in values:
        values["signatories"] = list(values["signatories"])
    errors = _template_field_errors(values)
    if errors:
        raise ValidationFailed("The template is not valid.", details=errors)
    if template is None:
        template = CertificateTemplate(
            club=club,
            body=DEFAULT_BODY,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
    for name, value in values.items():
        setattr(template, name, value)
    _template_images_apply(template, logo=logo, signatures=signatures or {})
    return template


def certificate_template_create(
    *,
    club: Club | None,
    name: str,
    institution: str,
    logo: Upload | None = None,
    signatures: dict[int, Upload] | None = None,
    actor: Actor = None,
    **fields: Any,
) -> CertificateTemplate:
    """A new template of ``club`` (None: college-wide): ``accent_color``, ``body`` and ``signatories``
    may be given too."""
    template = certificate_template_draft(
        club=club, name=name, institution=institution, logo=logo, signatures=signatures, actor=actor, **fields
    )
    with transaction.atomic():
        template.save()
    return template


def certificate_template_update(
    *,
    template: CertificateTemplate,
    logo: Upload | None = None,
    signatures: dict[int, Upload] | None = None,
    actor: Actor = None,
    **changes: Any,
) -> CertificateTemplate:
    """Change the fields given and replace the images given; events using it draw their
    certificates with it from then on."""
    with transaction.atomic():
        locked = CertificateTemplate.objects.select_for_update().get(pk=template.pk)
        locked = certificate_template_draft(template=locked, logo=logo, signatures=signatures, actor=actor, **changes)
        locked.save()
    return locked


# The co-curricular record's snapshot


def record_snapshot_issue(*, student: Student, lines: list[dict[str, Any]]) -> RecordSnapshot:
    """The verifiable copy of the record handed out now; the same record again reuses its snapshot.

    ``lines`` are plain JSON (what the paper prints). A revoked snapshot is never reused.
    """
    digest = hashlib.sha256(
        json.dumps([student.full_name, lines], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    with transaction.atomic():
        existing = RecordSnapshot.objects.filter(student=student, digest=digest, revoked_at__isnull=True).first()
        if existing is not None:
            return existing
        return RecordSnapshot.objects.create(
            snapshot_id=ids.new_record_snapshot_id(),
            student=student,
            student_name=student.full_name,
            lines=lines,
            digest=digest,
            issued_at=timezone.now(),
        )


def record_snapshot_seal(*, student: Student, lines: list[dict[str, Any]]) -> str:
    """The record PDF's seal (``certificates.record_pdf.record_seal``): the snapshot's URL."""
    return record_snapshot_issue(student=student, lines=lines).verify_url


def record_snapshot_revoke(*, snapshot: RecordSnapshot, reason: str, actor: Actor = None) -> RecordSnapshot:
    """Staff, or the student whose record it is, withdraw a record handed out; verification then says so."""
    if actor is not None:
        if not actor.is_authenticated:
            raise NotAuthenticated()
        if not (actor.is_staff or snapshot.student.user_id == actor.pk):
            raise PermissionDenied("Only staff and the student revoke a record.")
    reason = _revocation_reason(reason)
    with transaction.atomic():
        locked = RecordSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if not locked.is_revoked:
            locked.revoked_at = timezone.now()
            locked.revoked_reason = reason
            locked.save(update_fields=["revoked_at", "revoked_reason"])
    return locked


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


def event_certificate_template_problem(*, event: Event, template_id: int) -> str | None:
    """``events.hooks.CERTIFICATE_TEMPLATE_CHECKS``: an event uses its club's templates or college-wide ones."""
    if CertificateTemplate.objects.usable_for_club(event.club_id).filter(pk=template_id).exists():
        return None
    return f"No certificate template {template_id} for this event: choose one of its club's or a college-wide one."


def event_certificate_template_choices(*, event: Event) -> list[tuple[int, str]]:
    """``events.hooks.CERTIFICATE_TEMPLATE_CHOICES``: the templates the event may use, named for a menu."""
    templates = CertificateTemplate.objects.usable_for_club(event.club_id).select_related("club")
    return [
        (template.pk, f"{template.name} ({template.club.name if template.club else 'college-wide'})")
        for template in templates
    ]
