"""Participation-certificate eligibility: the event's attendance rule, stated once.

``evaluate`` is the rule. Everything that asks "may this student hold a participation
certificate?" calls it: the certificate service, the integrity checker, the student's page,
the lookup API and the legacy codec. ``eligible_q`` is the same rule as SQL, for the
bulk paths (issue to all eligible, the integrity check) where loading every student's
attendance would not scale; tests/certificates/test_eligibility_sql.py proves the two agree.

The rule is evaluated against the event's sessions as they are now: a session added
after attendance raises what "all" and a percentage need; a removed session lowers it
(sessions with attendance cannot be removed).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from events.attendance_rules import RuleFacts, names_text, rule_of, sessions_text
from events.models import Event, EventSession
from registrations.models import Attendance, Feedback, Registration, RegistrationStatus

Rule = Event.AttendanceRule


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    attended: int
    required: int
    missing: list[str] = field(default_factory=list)
    message: str = ""  # to the student: "You attended 1 of the 2 sessions needed; feedback is still due."
    reason: str | None = None  # the first unmet condition, a stable word for NOT_ELIGIBLE details
    staff_message: str = ""  # the same about the student, for organizers

    def as_json(self) -> dict:
        return {
            "eligible": self.eligible,
            "attended": self.attended,
            "required": self.required,
            "missing": self.missing,
            "message": self.message,
        }

    def error_details(self) -> dict:
        details = {"reason": self.reason, "missing": self.missing}
        if self.reason != "not_confirmed":
            details |= {"sessions_attended": self.attended, "sessions_required": self.required}
        return details


def evaluate(
    rule: RuleFacts, *, confirmed: bool, attended_sessions: Collection[int], gave_feedback: bool
) -> Eligibility:
    """The one rule: may the student hold a participation certificate, and if not, what is missing?

    ``attended_sessions`` are the primary keys of the sessions the student attended.
    """
    attended_set = {s.pk for s in rule.sessions} & set(attended_sessions)
    attended = len(attended_set)
    required = rule.required
    if not confirmed:
        return Eligibility(
            False,
            attended,
            required,
            ["a confirmed registration"],
            "Certificates go to students with a confirmed registration.",
            "not_confirmed",
            "This student is not eligible: they have no confirmed registration.",
        )
    missing: list[str] = []
    reason = None
    missed_mandatory = [s for s in rule.mandatory_sessions if s.pk not in attended_set]
    if missed_mandatory:
        missing.extend(f"the session {names_text([s])}" for s in missed_mandatory)
        reason = "mandatory_session_missed"
    short = required - attended - len(missed_mandatory)
    if short > 0:
        missing.append(f"{short} more session{'s' if short != 1 else ''}")
    if attended < required:
        reason = reason or "not_enough_sessions"
    feedback_due = rule.requires_feedback and not gave_feedback
    if feedback_due:
        missing.append("feedback")
        reason = reason or "feedback_required"

    def sentence(subject: str, pronoun: str) -> str:
        text = f"{subject} attended {attended} of the {sessions_text(required)} needed"
        if reason is None:
            text += " and gave feedback" if rule.requires_feedback else ""
            return text + f": {pronoun} can receive a certificate."
        if missed_mandatory:
            text += f"; {names_text(missed_mandatory)} {'is' if len(missed_mandatory) == 1 else 'are'} required"
        if feedback_due:
            text += "; feedback is still due"
        return text + "."

    return Eligibility(
        reason is None,
        attended,
        required,
        missing,
        sentence("You", "you"),
        reason,
        sentence("The student", "they")
        if reason is None
        else "This student is not eligible: " + sentence("they", "they"),
    )


def student_eligibility(
    event: Event,
    enrollment_no: str,
    *,
    rule: RuleFacts | None = None,
    confirmed: bool | None = None,
    attended_sessions: Collection[int] | None = None,
    gave_feedback: bool | None = None,
) -> Eligibility:
    """Where one student stands: one indexed query for each fact not given (the rule: its sessions)."""
    rule = rule or rule_of(event)
    if confirmed is None:
        confirmed = Registration.objects.filter(
            event=event, student_id=enrollment_no, status=RegistrationStatus.CONFIRMED
        ).exists()
    if attended_sessions is None:
        attended_sessions = set(
            Attendance.objects.filter(event=event, student_id=enrollment_no).values_list("session_id", flat=True)
        )
    if gave_feedback is None:
        gave_feedback = Feedback.objects.filter(event=event, student_id=enrollment_no).exists()
    return evaluate(rule, confirmed=confirmed, attended_sessions=attended_sessions, gave_feedback=gave_feedback)


def students_eligibility(event: Event, enrollment_nos: Iterable[str], *, rule: RuleFacts | None = None) -> dict:
    """``{enrollment_no: Eligibility}`` for many students of one event, in three queries."""
    rule = rule or rule_of(event)
    wanted = list(enrollment_nos)
    confirmed = set(
        Registration.objects.filter(
            event=event, student_id__in=wanted, status=RegistrationStatus.CONFIRMED
        ).values_list("student_id", flat=True)
    )
    attended: dict[str, set[int]] = {}
    for student_id, session_id in Attendance.objects.filter(event=event, student_id__in=wanted).values_list(
        "student_id", "session_id"
    ):
        attended.setdefault(student_id, set()).add(session_id)
    gave_feedback = set(
        Feedback.objects.filter(event=event, student_id__in=wanted).values_list("student_id", flat=True)
    )
    return {
        enr: evaluate(
            rule,
            confirmed=enr in confirmed,
            attended_sessions=attended.get(enr, ()),
            gave_feedback=enr in gave_feedback,
        )
        for enr in wanted
    }


# The same rule in SQL, for querysets of rows that have an event and a student
# (registrations, certificates). ``prefix`` is "" for those; the expressions read
# the event's columns through ``event__``.


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("event_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def eligibility_annotations(queryset: QuerySet) -> QuerySet:
    """Annotate ``elig_confirmed``, ``elig_attended``, ``elig_required``, ``elig_mandatory_missed``,
    ``elig_feedback`` on a queryset of rows with ``event`` and ``student`` foreign keys."""
    same_student = {"event_id": OuterRef("event_id"), "student_id": OuterRef("student_id")}
    sessions = EventSession.objects.filter(event_id=OuterRef("event_id"))
    total = _count(sessions)
    mandatory_total = _count(sessions.filter(mandatory=True))
    mandatory_attended = _count(Attendance.objects.filter(session__mandatory=True, **same_student))
    # ceil(percent * total / 100) in integer arithmetic (both engines divide integers exactly so).
    percent_needed = ExpressionWrapper(
        (F("event__attendance_percent") * total + Value(99)) / Value(100), output_field=IntegerField()
    )
    return queryset.annotate(
        elig_confirmed=Exists(Registration.objects.filter(status=RegistrationStatus.CONFIRMED, **same_student)),
        elig_attended=_count(Attendance.objects.filter(**same_student)),
        elig_feedback=Exists(Feedback.objects.filter(**same_student)),
        elig_mandatory_missed=Case(
            When(event__attendance_rule_kind=Rule.MANDATORY, then=mandatory_total - mandatory_attended),
            default=Value(0),
            output_field=IntegerField(),
        ),
        elig_required=Case(
            When(event__attendance_rule_kind=Rule.ALL, then=Greatest(total, Value(1))),
            When(event__attendance_rule_kind=Rule.PERCENTAGE, then=Greatest(percent_needed, Value(1))),
            When(
                event__attendance_rule_kind=Rule.MANDATORY,
                then=Greatest(F("event__min_sessions_for_certificate"), mandatory_total, Value(1)),
            ),
            default=Greatest(F("event__min_sessions_for_certificate"), Value(1)),
            output_field=IntegerField(),
        ),
    )


ELIGIBLE_Q = (
    Q(elig_confirmed=True)
    & Q(elig_attended__gte=F("elig_required"))
    & Q(elig_mandatory_missed=0)
    & (Q(event__certificate_requires_feedback=False) | Q(elig_feedback=True))
)


def eligible_q() -> Q:
    """Filter for rows annotated by ``eligibility_annotations``: the student is eligible."""
    return ELIGIBLE_Q
