"""Drafts to rows once the event is known: ids given, duplicates dropped, teams formed,
waitlist places and check-in codes set, participation records attached to registrations."""

from django.utils.text import slugify

from legacy.codec.drafts import ParticipationDraft, RegistrationDraft
from legacy.codec.rows import (
    AttendanceRow,
    CertificateRow,
    EventRow,
    FeedbackRow,
    Problems,
    RegistrationRow,
    SessionRow,
    TeamRow,
)
from legacy.codec.values import checkin_code_for, derive_id


def resolve_registrations(
    drafts: list[RegistrationDraft], event: EventRow, problems: Problems, secret: bytes
) -> tuple[list[RegistrationRow], list[TeamRow], dict[str, str]]:
    """Registration and team rows, and each student's registration that participation attaches to."""
    event_id = event.event_id
    default_moment = event.registration_opens_at or event.starts_at
    leaders = {draft.legacy_id: draft for draft in drafts if draft.is_leader and draft.legacy_id}
    for draft in drafts:
        if draft.registered_at is None:
            draft.registered_at = default_moment
        if draft.member_of:
            leader = leaders.get(draft.member_of)
            if leader is None:
                problems.drop(
                    draft.path,
                    "UNKNOWN_TEAM",
                    f"Team registration {draft.member_of!r} is not in this event; the member is not taken.",
                )
                draft.kept = False
                continue
            draft.team_key = leader.team_key
            draft.team_name = draft.team_name or leader.team_name
    placeholders: dict[str, str] = {}
    for draft in drafts:
        if draft.kept and (draft.is_leader or not draft.team_key):
            draft.registration_id = draft.legacy_id or derive_id(
                "LR", event_id, draft.student.enrollment_no, "registration"
            )
            if draft.is_leader and draft.team_key.startswith("#"):
                placeholders[draft.team_key] = draft.registration_id
    for draft in drafts:
        if draft.team_key in placeholders:
            draft.team_key = placeholders[draft.team_key]
        if draft.kept and not draft.registration_id:
            draft.registration_id = draft.legacy_id or derive_id(
                "LR", event_id, draft.team_key, draft.student.enrollment_no, "registration"
            )
    # Team members of the second shape follow their team's status.
    for draft in drafts:
        if draft.kept and draft.member_of:
            draft.status = leaders[draft.member_of].status
    ordered = sorted(
        (draft for draft in drafts if draft.kept),
        key=lambda draft: (draft.registered_at, not draft.is_leader, draft.registration_id),
    )
    seen_ids: set[str] = set()
    active_by_student: dict[str, RegistrationDraft] = {}
    for draft in ordered:
        if draft.registration_id in seen_ids:
            problems.drop(
                draft.path,
                "DUPLICATE_ID",
                f"Registration id {draft.registration_id!r} is used twice in this event; the first stays.",
            )
            draft.kept = False
            continue
        seen_ids.add(draft.registration_id)
        if draft.status == "cancelled":
            continue
        earlier = active_by_student.get(draft.student.enrollment_no)
        if earlier is not None:
            problems.drop(
                draft.path,
                "DUPLICATE_REGISTRATION",
                f"{draft.student.enrollment_no} is already registered in this event "
                f"({earlier.registration_id}); the earliest registration stays.",
            )
            draft.kept = False
            continue
        active_by_student[draft.student.enrollment_no] = draft
    kept_by_student = _kept_by_student(ordered)
    teams = _teams(ordered, problems)
    team_keys = {team.team_id for team in teams}
    waitlist_seq: dict[str, int] = {}
    for draft in ordered:
        if draft.kept and draft.status == "waitlisted":
            unit = draft.team_key if draft.team_key in team_keys else draft.registration_id
            waitlist_seq.setdefault(unit, len(waitlist_seq) + 1)
    rows = []
    for draft in ordered:
        if not draft.kept:
            continue
        team_id = draft.team_key if draft.team_key in team_keys else None
        confirmed = draft.status == "confirmed"
        rows.append(
            RegistrationRow(
                registration_id=draft.registration_id,
                student_id=draft.student.enrollment_no,
                team_id=team_id,
                status=draft.status,
                checkin_code=(draft.checkin_code or checkin_code_for(draft.registration_id, secret))
                if confirmed
                else None,
                waitlist_seq=waitlist_seq[team_id or draft.registration_id] if draft.status == "waitlisted" else None,
                registered_at=draft.registered_at,
                cancelled_at=draft.cancelled_at,
            )
        )
    return rows, teams, kept_by_student


def _teams(ordered: list[RegistrationDraft], problems: Problems) -> list[TeamRow]:
    teams: list[TeamRow] = []
    active_names: set[str] = set()
    for draft in ordered:
        if not (draft.is_leader and draft.team_key) or not draft.kept:
            continue
        name = draft.team_name or f"Team {draft.team_key}"
        if draft.status != "cancelled":
            base, suffix = name, 2
            while name.lower() in active_names:
                name = f"{base} ({suffix})"[:100]
                suffix += 1
            if name != base:
                problems.warn(
                    draft.path,
                    "TEAM_NAME_TAKEN",
                    f"Another team in this event is already called {base!r}; this one is {name!r}.",
                )
            active_names.add(name.lower())
        teams.append(
            TeamRow(
                team_id=draft.team_key[:40],
                name=name[:100],
                leader_id=draft.student.enrollment_no,
                status=draft.status,
                created_at=draft.registered_at,
            )
        )
    # A team whose leader entry was dropped cannot be stored; its members become individual.
    kept_teams = {team.team_id for team in teams}
    for draft in ordered:
        if draft.kept and draft.team_key and draft.team_key not in kept_teams and not draft.is_leader:
            problems.warn(draft.path, "TEAM_LEADER_DROPPED", "The team's leader was not taken; kept without a team.")
    return teams


def _registration_for(
    item: ParticipationDraft, kept: dict[str, RegistrationRow], kept_by_student: dict[str, str]
) -> RegistrationRow | None:
    """The registration a participation record belongs to: its own, else the student's kept one."""
    if item.registration is not None and item.registration.kept:
        return kept.get(item.registration.registration_id)
    hinted = kept.get(item.registration_hint or "")
    if hinted is not None and hinted.student_id == item.enrollment_no:
        return hinted
    candidates = kept_by_student.get(item.enrollment_no)
    return kept.get(candidates) if candidates else None


def resolve_participation(
    participations: list[ParticipationDraft],
    event: EventRow,
    sessions: list[SessionRow],
    kept: dict[str, RegistrationRow],
    kept_by_student: dict[str, str],
    problems: Problems,
) -> tuple[list[AttendanceRow], list[FeedbackRow], list[CertificateRow]]:
    by_name: dict[str, str] = {}
    for session in sessions:
        by_name[session.code.lower()] = session.code
        if session.title:
            by_name[session.title.lower()] = session.code
            by_name.setdefault(slugify(session.title), session.code)
    order = [session.code for session in sessions]
    attendances: list[AttendanceRow] = []
    feedbacks: dict[str, FeedbackRow] = {}
    certificates: dict[str, CertificateRow] = {}
    attended: set[tuple[str, str]] = set()
    used_ids: dict[str, set[str]] = {"attendance": set(), "feedback": set(), "certificate": set()}
    pending_attendance: list[tuple[ParticipationDraft, RegistrationRow]] = []
    for item in participations:
        registration = _registration_for(item, kept, kept_by_student)
        if registration is None:
            problems.drop(
                item.path,
                "NOT_REGISTERED",
                f"{item.enrollment_no} has no registration in this event; the {item.kind} is not taken.",
            )
            continue
        if item.kind == "attendance":
            pending_attendance.append((item, registration))
        elif item.kind == "feedback":
            _add_feedback(event, item, registration, feedbacks, used_ids["feedback"], problems)
        else:
            _add_certificate(event, item, registration, certificates, used_ids["certificate"], problems)
    # Attendances naming their session first, so one without a session takes a free one.
    pending_attendance.sort(key=lambda pair: pair[0].session is None)
    for item, registration in pending_attendance:
        if item.session is not None:
            code = by_name.get(item.session.lower()) or by_name.get(slugify(item.session))
            if code is None:
                problems.drop(
                    f"{item.path}", "UNKNOWN_SESSION", f"Session {item.session!r} is not one of this event's."
                )
                continue
        else:
            code = next((code for code in order if (item.enrollment_no, code) not in attended), None)
            if code is None:
                problems.drop(item.path, "DUPLICATE_ATTENDANCE", "More attendances than sessions for this student.")
                continue
        if (item.enrollment_no, code) in attended:
            problems.drop(
                item.path,
                "DUPLICATE_ATTENDANCE",
                f"{item.enrollment_no} is already marked for session {code!r}; the first mark stays.",
            )
            continue
        record_id = item.record_id or derive_id("LA", event.event_id, item.enrollment_no, "attendance", code)
        if not _id_claimed(record_id, used_ids["attendance"], "Attendance", item, problems):
            continue
        attended.add((item.enrollment_no, code))
        attendances.append(
            AttendanceRow(
                attendance_id=record_id,
                student_id=item.enrollment_no,
                registration_id=registration.registration_id,
                session_code=code,
                marked_at=item.moment or event.starts_at,
                marked_by=item.marked_by,
            )
        )
    position = {code: index for index, code in enumerate(order)}
    attendances.sort(key=lambda row: (row.student_id, position[row.session_code]))
    return attendances, list(feedbacks.values()), list(certificates.values())


def _first_record_id(event, item, kind: str, held: dict, used: set, problems: Problems) -> str | None:
    """The id of a student's first feedback or certificate (its own, else derived), or None when dropped:
    the student already has one (the first stays), or the id is used twice in this event."""
    prefix, label, duplicate_code, already = _ONE_PER_STUDENT[kind]
    if item.enrollment_no in held:
        problems.drop(item.path, duplicate_code, f"{item.enrollment_no} {already}; the first stays.")
        return None
    record_id = item.record_id or derive_id(prefix, event.event_id, item.enrollment_no, kind)
    return record_id if _id_claimed(record_id, used, label, item, problems) else None


def _id_claimed(record_id: str, used: set, label: str, item, problems: Problems) -> bool:
    """Whether ``record_id`` is free in this event (and now taken); a second use is dropped, the first stays."""
    if record_id in used:
        problems.drop(item.path, "DUPLICATE_ID", f"{label} id {record_id!r} is used twice in this event.")
        return False
    used.add(record_id)
    return True


def _add_feedback(event, item, registration, feedbacks, used, problems: Problems) -> None:
    record_id = _first_record_id(event, item, "feedback", feedbacks, used, problems)
    if record_id is None:
        return
    feedbacks[item.enrollment_no] = FeedbackRow(
        feedback_id=record_id,
        student_id=item.enrollment_no,
        registration_id=registration.registration_id,
        rating=item.rating,
        comments=item.comments,
        submitted_at=item.moment or event.ends_at,
    )


def _add_certificate(event, item, registration, certificates, used, problems: Problems) -> None:
    record_id = _first_record_id(event, item, "certificate", certificates, used, problems)
    if record_id is None:
        return
    certificates[item.enrollment_no] = CertificateRow(
        certificate_id=record_id,
        student_id=item.enrollment_no,
        registration_id=registration.registration_id,
        issued_at=item.moment or event.ends_at,
        revoked_at=item.revoked_at,
        revoked_reason=item.revoked_reason,
    )


# Per kind of one-per-student record: derived id prefix, label in messages, duplicate code, what a duplicate says.
_ONE_PER_STUDENT = {
    "feedback": ("LF", "Feedback", "DUPLICATE_FEEDBACK", "already gave feedback"),
    "certificate": ("LC", "Certificate", "DUPLICATE_CERTIFICATE", "already has a certificate"),
}


def _kept_by_student(ordered: list[RegistrationDraft]) -> dict[str, str]:
    """Each student's registration that participation records attach to: the active one, else the latest."""
    chosen: dict[str, RegistrationDraft] = {}
    for draft in ordered:
        if not draft.kept:
            continue
        current = chosen.get(draft.student.enrollment_no)
        if current is None or current.status == "cancelled":
            chosen[draft.student.enrollment_no] = draft
    return {enrollment_no: draft.registration_id for enrollment_no, draft in chosen.items()}
