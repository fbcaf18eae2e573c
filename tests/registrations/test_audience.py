"""Who may register: departments and years of study, access codes; checked by the service that takes the seat."""

import itertools
from datetime import date

import pytest
from django.db import connection, transaction

from events.audience import audience_sentence
from events.models import Event, registration_plain_q
from eventsite.errors import (
    AccessCodeInvalid,
    AlreadyRegistered,
    AudienceRestricted,
    DomainError,
    PendingApproval,
    PermissionDenied,
    ValidationFailed,
)
from registrations.audience import student_department, student_year_of_study
from registrations.models import AccessCode, Registration, RegistrationStatus
from registrations.services import (
    _registration_confirm_directly,
    access_codes_generate,
    registration_create,
    team_register,
)
from registrations.teams import team_create, team_invitation_accept
from tests.factories import EventFactory, StudentFactory, StudentUserFactory, TeamEventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("departments", "years", "sentence"),
    [
        ([], [], None),
        (["CSE"], [], "This event is for CSE students."),
        (["CSE", "ECE"], [3, 4], "This event is for CSE and ECE students in years 3 and 4."),
        ([], [1], "This event is for students in year 1."),
        (["CSE", "ECE", "IT"], [2, 3, 4], "This event is for CSE, ECE and IT students in years 2, 3 and 4."),
    ],
)
def test_the_audience_reads_as_a_sentence(departments, years, sentence):
    assert audience_sentence(Event(eligible_departments=departments, eligible_years=years)) == sentence


def test_department_and_year_come_from_the_record_else_the_enrollment_number(settings):
    settings.ACADEMIC_YEAR_START_MONTH = 7
    recorded = StudentFactory(enrollment_no="22CSE30001", department="ECE", year=2)
    bare = StudentFactory(enrollment_no="24ME30002", department="", year=None)
    assert (student_department(recorded), student_year_of_study(recorded)) == ("ECE", 2)
    assert student_department(bare) == "ME"
    assert student_year_of_study(bare, date(2026, 11, 26)) == 3  # admitted 2024: third year from July 2026
    assert student_year_of_study(bare, date(2026, 6, 30)) == 2
    assert student_year_of_study(bare, date(2040, 1, 1)) is None  # long gone: no year of study


def test_a_student_outside_the_departments_is_told_in_a_sentence(organizer):
    event = EventFactory(organizers=[organizer], eligible_departments=["CSE", "ECE"], eligible_years=[3, 4])
    student = StudentUserFactory(department="ME", year=3)
    with pytest.raises(AudienceRestricted) as refused:
        registration_create(event=event, enrollment_no=student.pk, actor=student.user)
    assert refused.value.http_status == 409
    assert refused.value.message == (
        "This event is for CSE and ECE students in years 3 and 4. You cannot register: your department is ME."
    )
    assert refused.value.details == {"eligible_departments": ["CSE", "ECE"], "eligible_years": [3, 4]}
    assert not Registration.objects.filter(event=event).exists()


def test_a_student_in_the_wrong_year_is_refused_and_one_in_the_audience_registers(organizer):
    event = EventFactory(organizers=[organizer], eligible_departments=["CSE"], eligible_years=[3])
    second_year = StudentUserFactory(department="CSE", year=2)
    third_year = StudentUserFactory(department="cse", year=3)
    with pytest.raises(AudienceRestricted, match="you are in year 2"):
        registration_create(event=event, enrollment_no=second_year.pk, actor=second_year.user)
    assert registration_create(event=event, enrollment_no=third_year.pk, actor=third_year.user).status == "confirmed"


def test_the_audience_holds_for_organizers_registering_someone_too(organizer):
    event = EventFactory(organizers=[organizer], eligible_years=[1])
    with pytest.raises(AudienceRestricted):
        registration_create(event=event, enrollment_no=StudentFactory(year=4).pk, actor=organizer)


def test_every_team_member_must_be_in_the_audience(organizer):
    event = TeamEventFactory(organizers=[organizer], eligible_departments=["CSE"])
    leader, outsider = StudentUserFactory(department="CSE"), StudentFactory(department="ME")
    with pytest.raises(AudienceRestricted, match="your department is ME"):
        team_create(event=event, team_name="Mixed", invite=[outsider.pk], actor=leader.user)
    with pytest.raises(AudienceRestricted, match="your department is ME"):
        team_register(event=event, team_name="Mixed", leader=leader.pk, members=[outsider.pk], actor=organizer)


@pytest.fixture
def invite_only(organizer):
    return EventFactory(organizers=[organizer], access_code_required=True)


def test_organizers_generate_codes_each_with_its_limit(invite_only, organizer):
    codes = access_codes_generate(event=invite_only, count=5, max_uses=2, actor=organizer)
    assert len({code.code for code in codes}) == 5
    assert all(len(code.code) == 8 and code.max_uses == 2 and code.uses == 0 for code in codes)
    assert AccessCode.objects.filter(event=invite_only).count() == 5


@pytest.mark.parametrize("count, max_uses", [(0, 1), (501, 1), (1, 0), (1, 10_001)])
def test_code_counts_and_limits_are_bounded(invite_only, organizer, count, max_uses):
    with pytest.raises(ValidationFailed):
        access_codes_generate(event=invite_only, count=count, max_uses=max_uses, actor=organizer)


def test_only_organizers_generate_codes(invite_only):
    with pytest.raises(PermissionDenied):
        access_codes_generate(event=invite_only, count=1, max_uses=1, actor=UserFactory())


def test_a_code_lets_in_as_many_as_its_limit_then_is_used_up(invite_only, organizer):
    (code,) = access_codes_generate(event=invite_only, count=1, max_uses=2, actor=organizer)
    students = StudentUserFactory.create_batch(3)
    typed = f" {code.code[:4].lower()}-{code.code[4:].lower()} "  # as a student types it
    first, second = (
        registration_create(event=invite_only, enrollment_no=s.pk, access_code=typed, actor=s.user)
        for s in students[:2]
    )
    assert first.access_code_id == second.access_code_id == code.pk
    with pytest.raises(AccessCodeInvalid):
        registration_create(
            event=invite_only, enrollment_no=students[2].pk, access_code=code.code, actor=students[2].user
        )
    code.refresh_from_db()
    assert code.uses == 2


@pytest.mark.parametrize("given", [None, "", "NOPE1234"])
def test_a_missing_or_wrong_code_is_access_code_invalid(invite_only, organizer, given):
    access_codes_generate(event=invite_only, count=1, max_uses=1, actor=organizer)
    student = StudentUserFactory()
    with pytest.raises(AccessCodeInvalid) as refused:
        registration_create(event=invite_only, enrollment_no=student.pk, access_code=given, actor=student.user)
    assert refused.value.http_status == 409 and "access_code" in refused.value.details


def test_a_code_of_another_event_does_not_open_this_one(invite_only, organizer):
    other = EventFactory(organizers=[organizer], access_code_required=True)
    (code,) = access_codes_generate(event=other, count=1, max_uses=5, actor=organizer)
    student = StudentUserFactory()
    with pytest.raises(AccessCodeInvalid):
        registration_create(event=invite_only, enrollment_no=student.pk, access_code=code.code, actor=student.user)


def test_a_refused_registration_gives_the_use_back(invite_only, organizer):
    (code,) = access_codes_generate(event=invite_only, count=1, max_uses=5, actor=organizer)
    student = StudentUserFactory()
    registration_create(event=invite_only, enrollment_no=student.pk, access_code=code.code, actor=student.user)
    with pytest.raises(AlreadyRegistered):
        registration_create(event=invite_only, enrollment_no=student.pk, access_code=code.code, actor=student.user)
    code.refresh_from_db()
    assert code.uses == 1


def test_an_organizer_registers_someone_without_a_code(invite_only, organizer):
    registration = registration_create(event=invite_only, enrollment_no=StudentFactory().pk, actor=organizer)
    assert registration.status == RegistrationStatus.CONFIRMED and registration.access_code is None


def test_a_team_uses_one_code_for_all_its_members(organizer):
    event = TeamEventFactory(organizers=[organizer], access_code_required=True)
    (code,) = access_codes_generate(event=event, count=1, max_uses=1, actor=organizer)
    leader, member = StudentUserFactory(), StudentUserFactory()
    with pytest.raises(AccessCodeInvalid):
        team_create(event=event, team_name="Duo", invite=[member.pk], actor=leader.user)
    team = team_create(event=event, team_name="Duo", invite=[member.pk], access_code=code.code, actor=leader.user)
    team_invitation_accept(team=team, actor=member.user)
    assert set(team.registrations.values_list("status", flat=True)) == {"confirmed"}
    code.refresh_from_db()
    assert code.uses == 1


# The one-statement path of PostgreSQL: it never takes a seat where any of these rules has something to say.


def test_plain_in_python_and_in_sql_agree_over_every_combination():
    for departments, years, code, approval in itertools.product([[], ["CSE"]], [[], [2]], [False, True], [False, True]):
        event = EventFactory(
            eligible_departments=departments,
            eligible_years=years,
            access_code_required=code,
            approval_required=approval,
        )
        in_sql = Event.objects.filter(registration_plain_q(), pk=event.pk).exists()
        assert in_sql == event.registration_is_plain == (not (departments or years or code or approval))


RULES = {
    "department": ({"eligible_departments": ["ECE"]}, AudienceRestricted),
    "year": ({"eligible_years": [1]}, AudienceRestricted),
    "access_code": ({"access_code_required": True}, AccessCodeInvalid),
    "approval": ({"approval_required": True}, RegistrationStatus.PENDING),
}


@pytest.mark.parametrize("rule", RULES)
def test_the_direct_statement_leaves_every_rule_to_the_general_path(rule):
    fields, outcome = RULES[rule]
    event = EventFactory(capacity=10, **fields)
    student = StudentUserFactory(department="CSE", year=3)
    if connection.vendor == "postgresql":  # SQLite never takes the statement
        with transaction.atomic():
            assert _registration_confirm_directly(event.pk, student.pk) is None  # no seat: left to the general path
            transaction.set_rollback(True)
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            registration_create(event=event.pk, enrollment_no=student.pk, actor=student.user)
        assert not Registration.objects.filter(event=event).exists()
    else:
        assert registration_create(event=event.pk, enrollment_no=student.pk, actor=student.user).status == outcome
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_the_direct_statement_still_confirms_a_plain_event():
    event = EventFactory(capacity=10)
    student = StudentUserFactory()
    registration = registration_create(event=event.pk, enrollment_no=student.pk, actor=student.user)
    assert registration.status == RegistrationStatus.CONFIRMED
    if connection.vendor == "postgresql":  # it came through the statement: the general path would set no access code
        assert Registration.objects.filter(pk=registration.pk, access_code__isnull=True).exists()


def test_a_pending_student_registering_again_on_a_plain_event_is_pending_approval(organizer):
    """The approval was switched off while the student waited: the statement's insert meets the constraint."""
    event = EventFactory(organizers=[organizer], approval_required=True, capacity=10)
    student = StudentUserFactory()
    registration_create(event=event.pk, enrollment_no=student.pk, actor=student.user)
    Event.objects.filter(pk=event.pk).update(approval_required=False)
    with pytest.raises(PendingApproval):
        registration_create(event=event.pk, enrollment_no=student.pk, actor=student.user)
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_every_refusal_is_a_domain_error_never_a_crash(invite_only):
    student = StudentUserFactory()
    for given in ["", " ", "x" * 40, "ÄÖÜ", "'; DROP TABLE x;--"]:
        with pytest.raises(DomainError):
            registration_create(event=invite_only, enrollment_no=student.pk, access_code=given, actor=student.user)
