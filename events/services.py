"""Every write to events: creation, updates, sessions, cancellation."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from clubs.models import Club
from clubs.selectors import club_named, club_user_runs_events
from events import hooks
from events.attendance_rules import rule_of
from events.models import (
    REMINDER_OFFSET_MAX_MINUTES,
    REMINDER_OFFSETS_MAX,
    Event,
    EventAuditEntry,
    EventPoster,
    EventQuestion,
    EventSession,
)
from events.selectors import event_user_is_organizer
from eventsite.errors import AlreadyExists, NotFound, PermissionDenied, ValidationFailed
from eventsite.images import image_reencode
from eventsite.text import model_text_errors, single_line_text, text_errors

CANCELLATION_REASON_MAX = 2000

EVENT_FIELDS = (
    "title",
    "description",
    "venue",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "registration_mode",
    "team_size_min",
    "team_size_max",
    "waitlist_enabled",
    "min_sessions_for_certificate",
    "certificate_requires_feedback",
    "status",
    "reminder_offsets_minutes",
    "contact_email",
    "eligible_departments",
    "eligible_years",
    "access_code_required",
    "approval_required",
)
DEPARTMENT_CODE = re.compile(r"^[A-Z]{2,10}$")
YEARS_OF_STUDY = range(1, 7)


class KEEP:
    """For an optional argument, "leave it as it is" (where None is a value)."""


@dataclass(frozen=True)
class AttendanceRuleSpec:
    """An event's attendance rule as given: ``kind`` with ``n`` (min_sessions), ``percent``
    (percentage), nothing (all) or ``sessions`` codes plus ``n`` as the minimum (mandatory)."""

    kind: str
    n: int = 1
    percent: int = 100
    sessions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionSpec:
    code: str
    title: str = ""
    starts_at: datetime | None = None


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False


def _questions_replace(event: Event, questions: list[QuestionSpec]) -> None:
    """Make the event ask exactly ``questions``, in order, without losing an answer.

    A question left out is deleted if nobody answered it, else archived (its answers stay);
    a changed label or choices keep the answers; changing the kind of an answered question is refused.
    """
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    kinds = set(EventQuestion.Kind.values)
    for position, spec in enumerate(questions):
        key = f"questions[{position}]"
        if not spec.code or not re.fullmatch(r"[-a-zA-Z0-9_]{1,40}", spec.code):
            errors[f"{key}.code"] = ["A code is 1 to 40 letters, digits, hyphens or underscores."]
        elif spec.code in seen:
            errors[f"{key}.code"] = ["Two questions have this code."]
        seen.add(spec.code)
        label = " ".join(spec.label.split()) if isinstance(spec.label, str) else ""
        if not label:
            errors[f"{key}.label"] = ["A question needs its text."]
        elif len(label) > EventQuestion.LABEL_MAX_LENGTH:
            errors[f"{key}.label"] = [f"At most {EventQuestion.LABEL_MAX_LENGTH} characters."]
        if spec.kind not in kinds:
            errors[f"{key}.kind"] = [f"One of {', '.join(sorted(kinds))}."]
        choices = [" ".join(str(choice).split()) for choice in spec.choices]
        if spec.kind in (EventQuestion.Kind.CHOICE, EventQuestion.Kind.MULTI_CHOICE):
            if not choices or any(not choice for choice in choices):
                errors[f"{key}.choices"] = ["A choice question needs its options, none of them blank."]
            elif len(set(choices)) != len(choices):
                errors[f"{key}.choices"] = ["Each option appears once."]
            elif len(choices) > EventQuestion.CHOICES_MAX or any(
                len(choice) > EventQuestion.CHOICE_MAX_LENGTH for choice in choices
            ):
                errors[f"{key}.choices"] = [
                    f"At most {EventQuestion.CHOICES_MAX} options of {EventQuestion.CHOICE_MAX_LENGTH} characters."
                ]
        elif choices:
            errors[f"{key}.choices"] = ["Only choice questions have options."]
        for field_name, messages in text_errors({"label": (label, single_line_text)}).items():
            errors.setdefault(f"{key}.{field_name}", messages)
    if errors:
        raise ValidationFailed("Some questions are not valid.", details=errors)
    existing = {question.code: question for question in EventQuestion.objects.filter(event=event)}
    answered = set(
        EventQuestion.objects.filter(event=event, answers__isnull=False).values_list("code", flat=True).distinct()
    )
    for position, spec in enumerate(questions):
        question = existing.pop(spec.code, None)
        if question is not None and question.kind != spec.kind and spec.code in answered:
            raise ValidationFailed.for_field(
                f"questions[{position}].kind", "People have answered this question: its kind cannot change."
            )
        question = question or EventQuestion(event=event, code=spec.code)
        question.label = " ".join(spec.label.split())
        question.kind = spec.kind
        question.choices = [" ".join(str(choice).split()) for choice in spec.choices]
        question.required = spec.required
        question.position = position
        question.archived = False
        question.save()
    for code, question in existing.items():
        if code in answered:
            if not question.archived:
                question.archived = True
                question.save(update_fields=["archived"])
        else:
            question.delete()


def event_questions(event: Event) -> list[QuestionSpec]:
    """The questions the event asks now, as specs (for forms)."""
    return [
        QuestionSpec(code=q.code, label=q.label, kind=q.kind, choices=tuple(q.choices), required=q.required)
        for q in EventQuestion.objects.filter(event=event, archived=False)
    ]


def _validate_event(event: Event) -> None:
    """The event's database constraints, then the rules no constraint states."""
    errors: dict[str, list[str]] = model_text_errors(event)
    errors.update(event.constraint_errors())
    if event.registration_mode == Event.Mode.INDIVIDUAL and (event.team_size_min, event.team_size_max) != (1, 1):
        errors["registration_mode"] = ["An individual event has no team sizes (set both to 1)."]
    if event.capacity is not None and event.capacity < 0:
        errors["capacity"] = ["Capacity cannot be negative."]
    if event.contact_email:
        try:
            validate_email(event.contact_email)
        except ValidationError as error:
            errors["contact_email"] = list(error.messages)
    offsets_problem = reminder_offsets_problem(event.reminder_offsets_minutes)
    if offsets_problem:
        errors["reminder_offsets_minutes"] = [offsets_problem]
    if errors:
        raise ValidationFailed("The event is not valid.", details=errors)


def reminder_offsets_problem(offsets: object) -> str | None:
    """What is wrong with a list of reminder offsets (minutes before the start), or None."""
    if not isinstance(offsets, list) or not all(type(o) is int for o in offsets):
        return "A list of whole minutes before the start, e.g. [1440, 60]."
    if len(offsets) > REMINDER_OFFSETS_MAX:
        return f"At most {REMINDER_OFFSETS_MAX} reminders."
    if any(not 1 <= o <= REMINDER_OFFSET_MAX_MINUTES for o in offsets):
        return f"Each reminder is 1 to {REMINDER_OFFSET_MAX_MINUTES} minutes (28 days) before the start."
    if len(set(offsets)) != len(offsets):
        return "Each reminder time once."
    return None


def _organizer_users(usernames: list[str]) -> list[User]:
    users = list(User.objects.filter(username__in=usernames))
    missing = sorted(set(usernames) - {user.username for user in users})
    if missing:
        raise ValidationFailed(
            "Unknown organizer usernames.", details={"organizers": [f"No user {name!r}." for name in missing]}
        )
    return users


def _ensure_staff(actor: User | None) -> None:
    if actor is not None and not actor.is_staff:
        raise PermissionDenied("Only staff can do this.")


def event_audit_record(
    *,
    event: Event,
    actor: User | None,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> EventAuditEntry:
    """One audit row, written in the caller's transaction (a rolled-back change leaves none)."""
    return EventAuditEntry.objects.create(
        event=event,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        before=before,
        after=after,
        note=note,
    )


def _ensure_may_create(actor: User | None, *, club: Club | None, fields: dict[str, Any], organizers) -> None:
    """Staff create any event; a club's owners and organizers create drafts of the club's events."""
    if actor is None or actor.is_staff:
        return
    if not club_user_runs_events(club, actor):
        raise PermissionDenied("Only staff, or an owner or organizer of the event's club, can create an event.")
    if fields.get("status", Event.Status.DRAFT) != Event.Status.DRAFT:
        raise ValidationFailed.for_field("status", "A new event starts as a draft; publish it once it is ready.")
    if organizers:
        raise PermissionDenied("Only staff can list an event's organizers; the club's members organize it.")


def _sessions_replace(event: Event, sessions: list[SessionSpec]) -> None:
    codes = [spec.code for spec in sessions]
    if len(set(codes)) != len(codes):
        raise ValidationFailed.for_field("sessions", "Session codes must be unique within an event.")
    titles = text_errors({f"sessions[{n}].title": (spec.title, single_line_text) for n, spec in enumerate(sessions)})
    if titles:
        raise ValidationFailed("A session title is not valid.", details=titles)
    existing = {session.code: session for session in event.sessions.all()}
    stale = [session for code, session in existing.items() if code not in codes]
    used = [session.code for session in stale if session.attendance_set.exists()]
    if used:
        raise ValidationFailed.for_field("sessions", f"Sessions with attendance cannot be removed: {', '.join(used)}.")
    EventSession.objects.filter(pk__in=[session.pk for session in stale]).delete()
    for position, spec in enumerate(sessions):
        session = existing.get(spec.code) or EventSession(event=event, code=spec.code)
        session.title, session.starts_at, session.position = spec.title, spec.starts_at, position
        session.save()


def _sessions_ensure_default(event: Event) -> None:
    """An event with no explicit sessions has one implicit session."""
    if not event.sessions.exists():
        EventSession.objects.create(event=event, code=EventSession.DEFAULT_CODE, title="", starts_at=event.starts_at)


def _rule_apply(event: Event, rule: AttendanceRuleSpec) -> None:
    """Set the event's rule (after its sessions are in place); mandatory sessions are flagged on their rows."""
    Rule = Event.AttendanceRule
    if rule.kind not in Rule.values:
        raise ValidationFailed.for_field("attendance_rule", f"Unknown rule kind {rule.kind!r}.")
    if not 1 <= rule.percent <= 100:
        raise ValidationFailed.for_field("attendance_rule", "The percentage is between 1 and 100.")
    mandatory = set(rule.sessions) if rule.kind == Rule.MANDATORY else set()
    if rule.kind == Rule.MANDATORY:
        known = set(event.sessions.values_list("code", flat=True))
        unknown = sorted(mandatory - known)
        if unknown:
            raise ValidationFailed.for_field("attendance_rule", f"No such session in this event: {', '.join(unknown)}.")
        if not mandatory:
            raise ValidationFailed.for_field("attendance_rule", "Name at least one mandatory session.")
    event.attendance_rule_kind = rule.kind
    if rule.kind in (Rule.MIN_SESSIONS, Rule.MANDATORY):
        event.min_sessions_for_certificate = rule.n
    if rule.kind == Rule.PERCENTAGE:
        event.attendance_percent = rule.percent
    event.save(update_fields=["attendance_rule_kind", "min_sessions_for_certificate", "attendance_percent"])
    EventSession.objects.filter(event=event).exclude(code__in=mandatory).filter(mandatory=True).update(mandatory=False)
    EventSession.objects.filter(event=event, code__in=mandatory, mandatory=False).update(mandatory=True)


def _rule_from_min_sessions(event: Event, fields: dict[str, Any]) -> AttendanceRuleSpec | None:
    """``min_sessions_for_certificate`` is the ``min_sessions`` form of the rule: changing it alone
    (to a number other than the one the event shows) makes the rule "at least N sessions"."""
    if "min_sessions_for_certificate" not in fields or event.attendance_rule_kind == Event.AttendanceRule.MIN_SESSIONS:
        return None
    n = fields["min_sessions_for_certificate"]
    if n == rule_of(event).required:
        fields.pop("min_sessions_for_certificate")
        return None
    return AttendanceRuleSpec(kind=Event.AttendanceRule.MIN_SESSIONS, n=n)


def _ensure_rule_keeps_what_was_granted(event: Event, field_name: str) -> None:
    """Nobody loses what the old rule granted because the rule or the sessions were changed afterwards."""
    for check in hooks.EVENT_RULE_CHECKS:
        problem = check(event=event)
        if problem:
            raise ValidationFailed.for_field(field_name, problem)


def _certificate_template_choose(event: Event, template_id: int | None) -> None:
    """The template the event's certificates are drawn with; the certificates app says which it may use."""
    if template_id is not None:
        for check in hooks.CERTIFICATE_TEMPLATE_CHECKS:
            problem = check(event=event, template_id=template_id)
            if problem:
                raise ValidationFailed.for_field("certificate_template", problem)
    event.certificate_template_id = template_id


def _audience_fields_clean(fields: dict[str, Any]) -> None:
    """Departments as upper-case codes (CSE), years of study 1 to 6, each once, in order; in place."""
    errors: dict[str, list[str]] = {}
    if "eligible_departments" in fields:
        given = fields["eligible_departments"] or []  # an emptied admin field is None
        codes = [code.strip().upper() for code in given] if isinstance(given, list | tuple) else None
        if codes is None or not all(DEPARTMENT_CODE.match(code) for code in codes):
            errors["eligible_departments"] = ["Department codes of 2 to 10 letters, such as CSE or ECE."]
        else:
            fields["eligible_departments"] = list(dict.fromkeys(codes))
    if "eligible_years" in fields:
        given = fields["eligible_years"] or []
        if not isinstance(given, list | tuple) or not all(
            type(year) is int and year in YEARS_OF_STUDY for year in given
        ):
            errors["eligible_years"] = ["Years of study from 1 to 6."]
        else:
            fields["eligible_years"] = sorted(set(given))
    if errors:
        raise ValidationFailed("Who may register is not valid.", details=errors)


def _ensure_event_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")


@transaction.atomic
def event_create(
    *,
    event_id: str,
    sessions: list[SessionSpec] | None = None,
    attendance_rule: AttendanceRuleSpec | None = None,
    organizers: list[str] | None = None,
    club: str | None = None,
    questions: list[QuestionSpec] | None = None,
    certificate_template: int | None = None,
    actor: User | None = None,
    **fields: Any,
) -> Event:
    """A new event: by staff (any status), or a draft by an owner or organizer of ``club``."""
    club_row = club_named(club)
    _ensure_may_create(actor, club=club_row, fields=fields, organizers=organizers)
    _ensure_event_fields(fields)
    _audience_fields_clean(fields)
    if Event.objects.filter(pk=event_id).exists():
        raise AlreadyExists(f"An event {event_id!r} already exists.", details={"event_id": event_id})
    event = Event(event_id=event_id, club=club_row, **fields)
    _certificate_template_choose(event, certificate_template)
    _validate_event(event)
    event.save()
    if sessions:
        _sessions_replace(event, sessions)
    _sessions_ensure_default(event)
    if attendance_rule is not None:
        _rule_apply(event, attendance_rule)
    if organizers:
        event.organizers.set(_organizer_users(organizers))
    if questions:
        _questions_replace(event, questions)
    event_audit_record(
        event=event,
        actor=actor,
        action=EventAuditEntry.Action.CREATED,
        after={"status": event.status, "capacity": event.capacity, "club": event.club_id},
    )
    return event


def _ensure_fits_registrations(event: Event, *, changed: set[str]) -> None:
    """Refuse changes that would make what was already accepted break the event's rules.

    Nobody loses a seat, a team or a certificate because the event was edited afterwards: the
    seats are checked here, the rest by the apps that hold them (``hooks.EVENT_CHANGE_CHECKS``).
    """
    errors: dict[str, list[str]] = {}
    if "capacity" in changed and event.capacity is not None and event.capacity < event.confirmed_count:
        errors["capacity"] = [f"{event.confirmed_count} students are already confirmed; the capacity cannot be lower."]
    for check in hooks.EVENT_CHANGE_CHECKS:
        errors |= check(event=event, changed=changed)
    if errors:
        raise ValidationFailed("The change does not fit the registrations already made.", details=errors)


@transaction.atomic
def event_update(
    *,
    event: Event,
    sessions: list[SessionSpec] | None = None,
    attendance_rule: AttendanceRuleSpec | None = None,
    organizers: list[str] | None = None,
    club: str | None | type[KEEP] = KEEP,
    questions: list[QuestionSpec] | None = None,
    certificate_template: int | None | type[KEEP] = KEEP,
    actor: User | None = None,
    **fields: Any,
) -> Event:
    """Change an event: its organizers or staff (the organizer list and the club: staff only).

    Raising the capacity promotes the waitlist. A different ``status`` is handed to the
    service that owns that change (``EVENT_STATUS_SERVICES``), after the other fields.
    A change of the attendance rule or of the sessions that would leave a certificate
    holder short of the rule is refused.
    """
    if organizers is not None or club is not KEEP:
        _ensure_staff(actor)
    _ensure_event_fields(fields)
    _audience_fields_clean(fields)
    status = fields.pop("status", None)
    locked = Event.objects.select_for_update(no_key=True).filter(pk=event.pk).first()
    if locked is None:
        raise NotFound.of("event", event.pk)
    if actor is not None and not event_user_is_organizer(locked, actor):
        raise PermissionDenied("Only this event's organizers can change it.")
    status_service = _status_service(locked, status) if status is not None else None
    if attendance_rule is not None:
        given_n = fields.pop("min_sessions_for_certificate", None)
        if (
            given_n is not None
            and given_n != attendance_rule.n
            and attendance_rule.kind == Event.AttendanceRule.MIN_SESSIONS
        ):
            raise ValidationFailed.for_field(
                "min_sessions_for_certificate", "It disagrees with the attendance rule given with it."
            )
    else:
        attendance_rule = _rule_from_min_sessions(locked, fields)
        if attendance_rule is not None:
            fields.pop("min_sessions_for_certificate")
    capacity_before = locked.capacity
    for name, value in fields.items():
        setattr(locked, name, value)
    if club is not KEEP:
        locked.club = club_named(club)
    if certificate_template is not KEEP:
        _certificate_template_choose(locked, certificate_template)
    elif club is not KEEP and locked.certificate_template_id is not None:
        _certificate_template_choose(locked, locked.certificate_template_id)
    _validate_event(locked)
    _ensure_fits_registrations(locked, changed=set(fields))
    locked.save()
    if sessions is not None:
        _sessions_replace(locked, sessions)
        _sessions_ensure_default(locked)
    if attendance_rule is not None:
        _rule_apply(locked, attendance_rule)
    if attendance_rule is not None or sessions is not None:
        _ensure_rule_keeps_what_was_granted(locked, "attendance_rule" if attendance_rule is not None else "sessions")
    if organizers is not None:
        locked.organizers.set(_organizer_users(organizers))
    if questions is not None:
        _questions_replace(locked, questions)
    if "capacity" in fields and locked.capacity != capacity_before:
        event_audit_record(
            event=locked,
            actor=actor,
            action=EventAuditEntry.Action.CAPACITY_CHANGED,
            before={"capacity": capacity_before},
            after={"capacity": locked.capacity},
        )
        for changed in hooks.EVENT_CAPACITY_CHANGED:
            changed(event=locked)
    if status_service is not None:
        locked = status_service(event=locked, actor=actor)
    return locked


@transaction.atomic
def event_poster_set(*, event: Event, upload, alt_text: str = "", actor: User | None = None) -> EventPoster:
    """Store ``upload`` (a file or bytes) as the event's poster, re-encoded without its metadata (its
    organizers). ``IMAGE_INVALID``, ``IMAGE_TOO_LARGE``, ``PAYLOAD_TOO_LARGE`` name the field ``poster``."""
    alt_text = alt_text.strip()
    errors = text_errors({"alt_text": (alt_text, single_line_text)})
    if len(alt_text) > EventPoster.ALT_TEXT_MAX_LENGTH:
        errors["alt_text"] = [f"Keep the description under {EventPoster.ALT_TEXT_MAX_LENGTH} characters."]
    if errors:
        raise ValidationFailed("The poster's description is not valid.", details=errors)
    if actor is not None and not event_user_is_organizer(event, actor):
        raise PermissionDenied("Only this event's organizers can change its poster.")
    clean = image_reencode(upload, field="poster")
    locked = _locked_for_organizer(event, actor)
    poster, _ = EventPoster.objects.update_or_create(
        event=locked,
        defaults={
            "image": clean.data,
            "content_type": clean.content_type,
            "width": clean.width,
            "height": clean.height,
            "digest": clean.digest,
            "alt_text": alt_text,
            "uploaded_at": timezone.now(),
            "uploaded_by": actor if actor is not None and actor.pk else None,
        },
    )
    return poster


@transaction.atomic
def event_poster_remove(*, event: Event, actor: User | None = None) -> bool:
    """Take the poster off the event (its organizers); False when it had none."""
    locked = _locked_for_organizer(event, actor)
    deleted, _ = EventPoster.objects.filter(event=locked).delete()
    return deleted > 0


def _locked_for_organizer(event: Event, actor: User | None) -> Event:
    locked = Event.objects.select_for_update(no_key=True).filter(pk=event.pk).first()
    if locked is None:
        raise NotFound.of("event", event.pk)
    if actor is not None and not event_user_is_organizer(locked, actor):
        raise PermissionDenied("Only this event's organizers can do this.")
    return locked


def _set_status(event: Event, status: str, *, actor: User | None, action: str, note: str = "") -> Event:
    before = event.status
    event.status = status
    event.save(update_fields=["status", "cancellation_reason", "confirmed_count", "updated_at"])
    event_audit_record(
        event=event, actor=actor, action=action, before={"status": before}, after={"status": status}, note=note
    )
    return event


@transaction.atomic
def event_publish(*, event: Event, actor: User | None = None) -> Event:
    """Open a draft to everyone (its organizers).

    With ``EVENT_APPROVAL_REQUIRED`` an organizer who is not staff only submits it: it waits as
    ``pending_approval`` until staff approve it. Publishing what is already published changes nothing.
    """
    locked = _locked_for_organizer(event, actor)
    if locked.status == Event.Status.CANCELLED:
        raise ValidationFailed.for_field("status", "A cancelled event cannot be published again.")
    if locked.status == Event.Status.PUBLISHED:
        return locked
    needs_approval = settings.EVENT_APPROVAL_REQUIRED and actor is not None and not actor.is_staff
    if needs_approval:
        if locked.status == Event.Status.PENDING_APPROVAL:
            return locked
        return _set_status(locked, Event.Status.PENDING_APPROVAL, actor=actor, action=EventAuditEntry.Action.SUBMITTED)
    action = (
        EventAuditEntry.Action.APPROVED
        if locked.status == Event.Status.PENDING_APPROVAL
        else EventAuditEntry.Action.PUBLISHED
    )
    return _set_status(locked, Event.Status.PUBLISHED, actor=actor, action=action)


@transaction.atomic
def event_approve(*, event: Event, actor: User | None = None) -> Event:
    """Staff publish an event that waits for their approval."""
    _ensure_staff(actor)
    locked = _locked_for_organizer(event, actor)
    if locked.status != Event.Status.PENDING_APPROVAL:
        raise ValidationFailed.for_field(
            "status",
            f"Only an event awaiting approval can be approved; this one is {locked.get_status_display().lower()}.",
        )
    return _set_status(locked, Event.Status.PUBLISHED, actor=actor, action=EventAuditEntry.Action.APPROVED)


@transaction.atomic
def event_cancel(*, event: Event, reason: str = "", actor: User | None = None) -> Event:
    """Cancel the event and every active registration and team, and tell each registrant why.

    Cancelling again tells no one twice. Attendance and certificates stay as history.
    """
    locked = _locked_for_organizer(event, actor)
    if locked.status == Event.Status.CANCELLED:
        return locked
    reason = reason.strip()
    if len(reason) > CANCELLATION_REASON_MAX:
        raise ValidationFailed.for_field("reason", f"Keep the reason under {CANCELLATION_REASON_MAX} characters.")
    for cancelling in hooks.EVENT_CANCELLING:
        cancelling(event=locked)
    locked.cancellation_reason = reason
    locked.confirmed_count = 0
    return _set_status(
        locked, Event.Status.CANCELLED, actor=actor, action=EventAuditEntry.Action.CANCELLED, note=reason
    )


# The one place an existing event's status may change: the target status -> the service that
# makes the change (called with ``event`` and ``actor``). Editing an event (API PATCH, the admin)
# reaches a status only through this map; a status missing from it is refused.
def _publish_or_approve(*, event: Event, actor: User | None = None) -> Event:
    """``published`` asked by staff of an event awaiting approval is their approval; otherwise publishing
    (which leaves an event awaiting approval waiting when an organizer asks)."""
    if event.status == Event.Status.PENDING_APPROVAL and (actor is None or actor.is_staff):
        return event_approve(event=event, actor=actor)
    return event_publish(event=event, actor=actor)


EVENT_STATUS_SERVICES: dict[str, Callable[..., Event]] = {
    Event.Status.PUBLISHED: _publish_or_approve,
    Event.Status.CANCELLED: event_cancel,
}


def _status_service(event: Event, status: str) -> Callable[..., Event] | None:
    """The service that moves ``event`` to ``status`` (None when it is there already), or VALIDATION_ERROR."""
    if status == event.status:
        return None
    if event.status == Event.Status.CANCELLED:
        raise ValidationFailed.for_field("status", "A cancelled event stays cancelled.")
    service = EVENT_STATUS_SERVICES.get(status)
    if service is None:
        raise ValidationFailed.for_field(
            "status", f"The status cannot be changed from {event.status} to {status} by editing the event."
        )
    return service
