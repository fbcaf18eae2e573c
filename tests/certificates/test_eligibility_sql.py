"""The attendance rule in SQL (bulk issue, the integrity check) agrees with the rule in Python.

Hypothesis draws events (sessions, mandatory flags, rule kind and numbers, feedback) and
students (registration status, sessions attended, feedback); for each, the set that
``eligible_q`` selects must be exactly the students ``evaluate`` calls eligible.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from certificates.eligibility import eligibility_annotations, eligible_q, students_eligibility
from certificates.models import Certificate
from events.attendance_rules import rule_of
from events.models import Event, EventSession
from eventsite import ids
from registrations.models import Attendance, Feedback, Registration, RegistrationStatus, Student

pytestmark = pytest.mark.django_db
SERIAL = itertools.count()

students = st.lists(
    st.tuples(
        st.sampled_from([RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]),
        st.sets(st.integers(0, 5)),  # positions of the sessions attended (those past the count are ignored)
        st.booleans(),  # gave feedback
    ),
    min_size=1,
    max_size=6,
)
events = st.fixed_dictionaries(
    {
        "sessions": st.integers(1, 6),
        "mandatory": st.sets(st.integers(0, 5), max_size=3),
        "kind": st.sampled_from(Event.AttendanceRule.values),
        "n": st.integers(0, 7),
        "percent": st.integers(1, 100),
        "requires_feedback": st.booleans(),
    }
)


def build(spec: dict, people: list) -> tuple[Event, list[str]]:
    now = timezone.now()
    event = Event.objects.create(
        event_id=f"prop-{next(SERIAL)}",
        title="Property",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        attendance_rule_kind=spec["kind"],
        min_sessions_for_certificate=spec["n"],
        attendance_percent=spec["percent"],
        certificate_requires_feedback=spec["requires_feedback"],
        status=Event.Status.PUBLISHED,
    )
    sessions = [
        EventSession.objects.create(event=event, code=f"s{i}", position=i, mandatory=i in spec["mandatory"])
        for i in range(spec["sessions"])
    ]
    enrollment_nos = []
    for number, (status, attended, gave_feedback) in enumerate(people):
        student = Student.objects.create(enrollment_no=f"22PRP{next(SERIAL):06d}", full_name=f"Student {number}")
        registration = Registration.objects.create(
            registration_id=ids.new_registration_id(),
            event=event,
            student=student,
            status=status,
            checkin_code=ids.new_checkin_code() if status == RegistrationStatus.CONFIRMED else None,
        )
        for position in sorted(attended):
            if position < len(sessions):
                Attendance.objects.create(
                    attendance_id=ids.new_attendance_id(),
                    event=event,
                    student=student,
                    registration=registration,
                    session=sessions[position],
                )
        if gave_feedback:
            Feedback.objects.create(
                feedback_id=ids.new_feedback_id(), event=event, student=student, registration=registration, rating=4
            )
        Certificate.objects.create(
            certificate_id=ids.new_certificate_id(), event=event, student=student, issued_at=timezone.now()
        )
        enrollment_nos.append(student.pk)
    return event, enrollment_nos


@settings(
    max_examples=60,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=events, people=students)
def test_sql_and_python_agree_on_who_is_eligible(spec, people):
    event, enrollment_nos = build(spec, people)

    by_python = {enr for enr, standing in students_eligibility(event, enrollment_nos).items() if standing.eligible}
    by_sql_registrations = set(
        eligibility_annotations(Registration.objects.filter(event=event))
        .filter(eligible_q())
        .values_list("student_id", flat=True)
    )
    by_sql_certificates = set(
        eligibility_annotations(Certificate.objects.filter(event=event))
        .filter(eligible_q())
        .values_list("student_id", flat=True)
    )
    required_in_sql = set(
        eligibility_annotations(Registration.objects.filter(event=event)).values_list("elig_required", flat=True)
    )

    assert by_sql_registrations == by_python
    assert by_sql_certificates == by_python
    assert required_in_sql == {rule_of(event).required}
