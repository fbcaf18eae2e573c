"""The attendance rule of every kind, evaluated by the one eligibility function and by its callers."""

import pytest

from certificates.eligibility import evaluate, student_eligibility
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_issue_all_eligible
from events.attendance_rules import RuleFacts, SessionFact, rule_of
from events.models import Event
from events.services import AttendanceRuleSpec, SessionSpec, event_update
from eventsite.errors import NotEligible, ValidationFailed
from registrations.integrity import integrity_problems
from registrations.services import attendance_mark, feedback_submit, registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db
Rule = Event.AttendanceRule
FOUR = tuple(SessionFact(pk=i, code=f"day-{i}", title=f"Day {i}", mandatory=i in (2, 4)) for i in range(1, 5))


def rule(kind, **fields) -> RuleFacts:
    return RuleFacts(kind=kind, sessions=fields.pop("sessions", FOUR), **fields)


@pytest.mark.parametrize(
    ("facts", "attended", "required", "eligible"),
    [
        (rule(Rule.MIN_SESSIONS, n=2), {1}, 2, False),
        (rule(Rule.MIN_SESSIONS, n=2), {1, 3}, 2, True),
        (rule(Rule.MIN_SESSIONS, n=0), set(), 1, False),  # never fewer than one session
        (rule(Rule.MIN_SESSIONS, n=0), {4}, 1, True),
        (rule(Rule.PERCENTAGE, percent=50), {1}, 2, False),
        (rule(Rule.PERCENTAGE, percent=50), {1, 2}, 2, True),
        (rule(Rule.PERCENTAGE, percent=60), {1, 2}, 3, False),  # 2.4 sessions round up to 3
        (rule(Rule.PERCENTAGE, percent=1), {3}, 1, True),
        (rule(Rule.ALL), {1, 2, 3}, 4, False),
        (rule(Rule.ALL), {1, 2, 3, 4}, 4, True),
        (rule(Rule.MANDATORY, n=0), {2, 4}, 2, True),
        (rule(Rule.MANDATORY, n=0), {1, 2, 3}, 2, False),  # three sessions, but day 4 is mandatory
        (rule(Rule.MANDATORY, n=3), {2, 4}, 3, False),
        (rule(Rule.MANDATORY, n=3), {1, 2, 4}, 3, True),
    ],
)
def test_every_kind_of_rule(facts, attended, required, eligible):
    standing = evaluate(facts, confirmed=True, attended_sessions=attended, gave_feedback=False)

    assert (standing.eligible, standing.attended, standing.required) == (eligible, len(attended), required)
    assert standing.missing == [] if eligible else standing.missing
    assert (
        standing.reason is None if eligible else standing.reason in {"not_enough_sessions", "mandatory_session_missed"}
    )


def test_the_student_reads_where_they_stand_in_a_sentence():
    facts = rule(Rule.MIN_SESSIONS, n=2, requires_feedback=True)

    standing = evaluate(facts, confirmed=True, attended_sessions={1}, gave_feedback=False)

    assert standing.message == "You attended 1 of the 2 sessions needed; feedback is still due."
    assert standing.missing == ["1 more session", "feedback"]
    assert standing.reason == "not_enough_sessions"
    done = evaluate(facts, confirmed=True, attended_sessions={1, 2}, gave_feedback=True)
    assert done.message == "You attended 2 of the 2 sessions needed and gave feedback: you can receive a certificate."


def test_missed_mandatory_sessions_are_named():
    standing = evaluate(rule(Rule.MANDATORY, n=3), confirmed=True, attended_sessions={1}, gave_feedback=False)

    assert standing.missing == ["the session \u201cDay 2\u201d", "the session \u201cDay 4\u201d"]
    assert (
        standing.message
        == "You attended 1 of the 3 sessions needed; \u201cDay 2\u201d and \u201cDay 4\u201d are required."
    )
    assert standing.reason == "mandatory_session_missed"


def test_without_a_confirmed_registration_nothing_else_counts():
    standing = evaluate(rule(Rule.ALL), confirmed=False, attended_sessions={1, 2, 3, 4}, gave_feedback=True)

    assert not standing.eligible
    assert standing.missing == ["a confirmed registration"]
    assert standing.reason == "not_confirmed"


def test_attendance_at_a_session_the_event_no_longer_has_does_not_count():
    standing = evaluate(rule(Rule.MIN_SESSIONS, n=2), confirmed=True, attended_sessions={1, 99}, gave_feedback=False)
    assert standing.attended == 1 and not standing.eligible


def test_the_rule_reads_as_json_and_as_words():
    assert rule(Rule.MIN_SESSIONS, n=2).as_json() == {"kind": "min_sessions", "n": 2}
    assert rule(Rule.PERCENTAGE, percent=75).as_json() == {"kind": "percentage", "percent": 75}
    assert rule(Rule.ALL).as_json() == {"kind": "all"}
    assert rule(Rule.MANDATORY, n=3).as_json() == {
        "kind": "mandatory",
        "sessions": ["day-2", "day-4"],
        "min_sessions": 3,
    }
    assert rule(Rule.PERCENTAGE, percent=75).describe() == "Attend 75% of the sessions (3 sessions)"
    assert (
        rule(Rule.MANDATORY, n=0, requires_feedback=True).describe()
        == "Attend \u201cDay 2\u201d and \u201cDay 4\u201d and at least 2 sessions in all, then give feedback"
    )


# The rule on stored events, through the services


def attendee(event: Event, *codes: str, feedback: bool = False) -> str:
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    for code in codes:
        attendance_mark(event=event, enrollment_no=student.pk, session=code, at=event.sessions.get(code=code).starts_at)
    if feedback:
        feedback_submit(event=event, enrollment_no=student.pk, rating=4)
    return student.pk


def sessions(*codes: str) -> list[SessionSpec]:
    return [SessionSpec(code=code, title=code.replace("-", " ").title()) for code in codes]


def test_a_session_added_after_attendance_raises_what_all_needs():
    event = EventFactory(sessions=["day-1", "day-2"])
    event = event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.ALL))
    both = attendee(event, "day-1", "day-2")
    assert student_eligibility(event, both).eligible

    event = event_update(event=event, sessions=sessions("day-1", "day-2", "day-3"))

    standing = student_eligibility(event, both)
    assert (standing.eligible, standing.attended, standing.required) == (False, 2, 3)
    assert standing.missing == ["1 more session"]
    with pytest.raises(NotEligible):
        certificate_issue(event=event, enrollment_no=both)


def test_sessions_removed_after_attendance_lower_what_a_percentage_needs():
    event = EventFactory(sessions=["day-1", "day-2", "day-3", "day-4"])
    event = event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.PERCENTAGE, percent=75))
    two_days = attendee(event, "day-1", "day-2")
    assert (student_eligibility(event, two_days).eligible, student_eligibility(event, two_days).required) == (False, 3)

    event = event_update(event=event, sessions=sessions("day-1", "day-2"))  # days 3 and 4 had no attendance

    standing = student_eligibility(event, two_days)
    assert (standing.eligible, standing.required) == (True, 2)
    assert certificate_issue(event=event, enrollment_no=two_days)[1]


def test_a_removed_mandatory_session_no_longer_binds():
    event = EventFactory(sessions=["day-1", "day-2", "final"])
    event = event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.MANDATORY, n=1, sessions=("final",)))
    first_day = attendee(event, "day-1")
    assert student_eligibility(event, first_day).missing == ["the session \u201cfinal\u201d"]

    event = event_update(event=event, sessions=sessions("day-1", "day-2"))

    assert rule_of(event).as_json() == {"kind": "mandatory", "sessions": [], "min_sessions": 1}
    assert student_eligibility(event, first_day).eligible


def test_a_session_with_attendance_cannot_be_removed():
    event = EventFactory(sessions=["day-1", "day-2"])
    attendee(event, "day-2")
    with pytest.raises(ValidationFailed) as error:
        event_update(event=event, sessions=sessions("day-1"))
    assert list(error.value.details) == ["sessions"]


def test_mandatory_sessions_must_exist():
    event = EventFactory(sessions=["day-1", "day-2"])
    with pytest.raises(ValidationFailed) as error:
        event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.MANDATORY, sessions=("day-9",)))
    assert error.value.details == {"attendance_rule": ["No such session in this event: day-9."]}


def test_a_change_that_would_leave_a_certificate_holder_short_is_refused():
    event = EventFactory(sessions=["day-1", "day-2"])
    holder = attendee(event, "day-1")
    certificate_issue(event=event, enrollment_no=holder)

    with pytest.raises(ValidationFailed) as error:
        event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.ALL))
    assert list(error.value.details) == ["attendance_rule"]
    event.refresh_from_db()
    assert event.attendance_rule_kind == Rule.MIN_SESSIONS

    event = event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.ALL), sessions=sessions("day-1"))
    assert rule_of(event).required == 1  # with day 2 gone, "all" is what the holder did


def test_min_sessions_for_certificate_is_the_min_sessions_form():
    event = EventFactory(sessions=["day-1", "day-2", "day-3"])
    event = event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.PERCENTAGE, percent=50))
    assert rule_of(event).required == 2

    event = event_update(event=event, min_sessions_for_certificate=2)  # the number it shows: no change
    assert event.attendance_rule_kind == Rule.PERCENTAGE

    event = event_update(event=event, min_sessions_for_certificate=3)
    assert rule_of(event).as_json() == {"kind": "min_sessions", "n": 3}
    with pytest.raises(ValidationFailed) as error:
        event_update(
            event=event, min_sessions_for_certificate=1, attendance_rule=AttendanceRuleSpec(kind=Rule.MIN_SESSIONS, n=2)
        )
    assert list(error.value.details) == ["min_sessions_for_certificate"]


def test_bulk_issue_and_the_integrity_check_apply_the_same_rule():
    event = EventFactory(sessions=["day-1", "day-2", "final"], certificate_requires_feedback=True)
    event = event_update(event=event, attendance_rule=AttendanceRuleSpec(kind=Rule.MANDATORY, n=2, sessions=("final",)))
    good = attendee(event, "day-1", "final", feedback=True)
    no_final = attendee(event, "day-1", "day-2", feedback=True)
    silent = attendee(event, "day-2", "final")
    only_final = attendee(event, "final", feedback=True)

    result = certificate_issue_all_eligible(event=event)

    assert set(result.issued) == {good}
    assert result.skipped == {no_final: "NOT_ELIGIBLE", silent: "NOT_ELIGIBLE", only_final: "NOT_ELIGIBLE"}
    assert integrity_problems([event.pk]) == []
    Event.objects.filter(pk=event.pk).update(attendance_rule_kind=Rule.ALL)  # written around the services
    problems = integrity_problems([event.pk])
    assert [(p.code, p.enrollment_no) for p in problems] == [("CERTIFICATE_NOT_ELIGIBLE", good)]
    assert "they attended 2 of the 3 sessions needed" in problems[0].message
    assert Certificate.objects.filter(event=event).count() == 1
