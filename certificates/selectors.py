from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from certificates.models import Certificate, CertificateTemplate, RecordSnapshot
from clubs.selectors import club_list_owned_by
from events.models import Event
from events.selectors import count_per_event, register_count
from eventsite.errors import NotFound
from registrations.models import CURRENT_STATUSES, Attendance, Feedback, Registration, RegistrationStatus, Student


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
    return templates.filter(club_id__in=club_list_owned_by(user).values("pk"))


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


@dataclass
class HistoryEntry:
    event: Event
    registration: Registration
    attendance_ids: list[str] = field(default_factory=list)
    feedback_id: str | None = None
    certificate_id: str | None = None  # the participation certificate
    starts_at: datetime | None = None
    certificates: list[Certificate] = field(default_factory=list)  # every valid one, of every kind

    @property
    def team_name(self) -> str | None:
        return self.registration.team.name if self.registration.team else None

    @property
    def role(self) -> str:
        team = self.registration.team
        if team is None:
            return "individual"
        return "team_leader" if team.leader_id == self.registration.student_id else "team_member"


def student_history(student: Student) -> list[HistoryEntry]:
    """Everything the student did at every event: one indexed query per kind of record.

    One entry per event: the active registration if there is one, else the latest.
    """
    enr = student.enrollment_no
    registrations = (
        Registration.objects.select_related("event", "team").filter(student_id=enr).order_by("registered_at")
    )
    by_event: dict[str, Registration] = {}
    for registration in registrations:
        current = by_event.get(registration.event_id)
        if current is None or registration.status in CURRENT_STATUSES or current.status not in CURRENT_STATUSES:
            by_event[registration.event_id] = registration
    attendance: dict[str, list[str]] = {}
    for event_id, attendance_id in (
        Attendance.objects.filter(student_id=enr)
        .order_by("session__position", "session_id", "marked_at")
        .values_list("event_id", "attendance_id")
    ):
        attendance.setdefault(event_id, []).append(attendance_id)
    feedback = dict(Feedback.objects.filter(student_id=enr).values_list("event_id", "feedback_id"))
    certificates: dict[str, list[Certificate]] = {}
    for certificate in Certificate.objects.filter(student_id=enr, revoked_at__isnull=True).order_by(
        "issued_at", "certificate_id"
    ):
        certificates.setdefault(certificate.event_id, []).append(certificate)
    entries = [
        HistoryEntry(
            event=registration.event,
            registration=registration,
            attendance_ids=attendance.get(event_id, []),
            feedback_id=feedback.get(event_id),
            certificate_id=next(
                (c.pk for c in certificates.get(event_id, []) if c.kind == Certificate.Kind.PARTICIPATION), None
            ),
            certificates=certificates.get(event_id, []),
            starts_at=registration.event.starts_at,
        )
        for event_id, registration in by_event.items()
    ]
    return sorted(entries, key=lambda entry: (entry.event.starts_at, entry.event.pk), reverse=True)


@dataclass
class RecordLine:
    """One event on a student's co-curricular record."""

    event: Event
    role: str
    team_name: str | None
    sessions_attended: int
    sessions_total: int
    feedback_rating: int | None
    gave_feedback: bool
    certificates: list[Certificate]

    @property
    def certificate(self) -> Certificate | None:
        """The participation certificate, if the student holds one."""
        return next((c for c in self.certificates if c.kind == Certificate.Kind.PARTICIPATION), None)


def student_record(student: Student) -> list[RecordLine]:
    """The events the student held a confirmed place at (cancelled events left out), newest first,
    each with the student's valid certificates of every kind.

    Built on ``student_history`` plus two queries: the events' session counts, and the
    feedback ratings and certificates of the student.
    """
    entries = [
        entry
        for entry in student_history(student)
        if entry.registration.status == RegistrationStatus.CONFIRMED and entry.event.status != Event.Status.CANCELLED
    ]
    event_ids = [entry.event.pk for entry in entries]
    sessions = dict(Event.objects.filter(pk__in=event_ids).annotate(n=Count("sessions")).values_list("event_id", "n"))
    ratings = dict(Feedback.objects.filter(student=student, event_id__in=event_ids).values_list("event_id", "rating"))
    certificates: dict[str, list[Certificate]] = {}
    for certificate in Certificate.objects.filter(
        student=student, event_id__in=event_ids, revoked_at__isnull=True
    ).order_by("issued_at", "certificate_id"):
        certificates.setdefault(certificate.event_id, []).append(certificate)
    return [
        RecordLine(
            event=entry.event,
            role=entry.role,
            team_name=entry.team_name,
            sessions_attended=len(entry.attendance_ids),
            sessions_total=sessions.get(entry.event.pk, 0),
            feedback_rating=ratings.get(entry.event.pk),
            gave_feedback=entry.event.pk in ratings,
            certificates=certificates.get(entry.event.pk, []),
        )
        for entry in entries
    ]
