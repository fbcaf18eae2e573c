import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User

from eventsite.errors import AlreadyExists, ValidationFailed
from registrations.models import Student
from registrations.services import student_signup, student_upsert
from tests.factories import StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-unusual-passphrase"


def _signup(**overrides):
    fields = {
        "enrollment_no": "22CSE30999",
        "full_name": "Asha Verma",
        "email": "asha@college.example",
        "department": "cse",
        "year": 2,
        "password": PASSWORD,
    }
    return student_signup(**{**fields, **overrides})


def test_student_upsert_creates_a_normalized_student():
    student, created = student_upsert(
        enrollment_no=" 22cse30999 ",
        full_name="  Asha   Verma ",
        email=" Asha@College.Example ",
        department=" cse ",
        year=2,
    )
    assert created
    assert (student.pk, student.full_name, student.email, student.department) == (
        "22CSE30999",
        "Asha Verma",
        "asha@college.example",
        "CSE",
    )


def test_student_upsert_updates_the_existing_student():
    StudentFactory(enrollment_no="22CSE30999", full_name="Old Name")
    student, created = student_upsert(enrollment_no="22CSE30999", full_name="New Name")
    assert not created
    assert Student.objects.get(pk="22CSE30999").full_name == "New Name"


def test_student_upsert_refuses_an_email_held_by_another_student():
    StudentFactory(email="asha@college.example")
    with pytest.raises(AlreadyExists) as error:
        student_upsert(enrollment_no="22CSE30999", full_name="Asha", email="ASHA@college.example")
    assert error.value.details == {"email": ["asha@college.example"]}


def test_student_upsert_keeps_a_students_own_email():
    StudentFactory(enrollment_no="22CSE30999", email="asha@college.example")
    assert student_upsert(enrollment_no="22CSE30999", full_name="Asha", email="asha@college.example")


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"email": "not-an-email"}, "email"),
        ({"year": 7}, "year"),
        ({"year": True}, "year"),
        ({"department": "x" * 21}, "department"),
        ({"phone": "9" * 21}, "phone"),
    ],
)
def test_student_upsert_refuses_invalid_fields(fields, bad_field):
    with pytest.raises(ValidationFailed) as error:
        student_upsert(enrollment_no="22CSE30999", **{"full_name": "Asha", **fields})
    assert bad_field in error.value.details
    assert not Student.objects.exists()


def test_student_signup_creates_the_student_and_a_login_named_after_the_enrollment_number(settings):
    settings.SIGNUP_EMAIL_VERIFICATION = False
    student = _signup(enrollment_no="22cse30999")

    assert student.pk == "22CSE30999"
    assert student.user.username == "22CSE30999"
    assert authenticate(username="22CSE30999", password=PASSWORD) == student.user


def test_student_signup_login_waits_for_the_email_check_by_default():
    student = _signup(enrollment_no="22cse30999")

    assert student.user.username == "22CSE30999"
    assert not student.user.is_active
    assert authenticate(username="22CSE30999", password=PASSWORD) is None


def test_student_signup_attaches_a_login_to_an_imported_student_when_the_email_matches():
    imported = StudentFactory(enrollment_no="22CSE30999", email="asha@college.example", full_name="Imported Name")

    student = _signup(email="ASHA@college.example")

    assert student.pk == imported.pk
    assert student.user.username == "22CSE30999"
    assert Student.objects.get(pk="22CSE30999").full_name == "Imported Name"
    assert Student.objects.count() == 1


def test_student_signup_refuses_an_imported_student_when_the_email_differs():
    StudentFactory(enrollment_no="22CSE30999", email="someone@college.example")
    with pytest.raises(AlreadyExists) as error:
        _signup()
    assert error.value.details == {"enrollment_no": ["22CSE30999"]}
    assert not User.objects.filter(username="22CSE30999").exists()


def test_student_signup_refuses_an_enrollment_number_that_already_has_a_login():
    existing = StudentUserFactory(enrollment_no="22CSE30999", email="asha@college.example")
    with pytest.raises(AlreadyExists):
        _signup(email=existing.email)


def test_student_signup_refuses_an_email_of_another_student():
    StudentFactory(email="asha@college.example")
    with pytest.raises(AlreadyExists) as error:
        _signup()
    assert "email" in error.value.details
    assert not Student.objects.filter(pk="22CSE30999").exists()


def test_student_signup_needs_an_email():
    with pytest.raises(ValidationFailed) as error:
        _signup(email="")
    assert "email" in error.value.details


def test_student_signup_refuses_a_weak_password():
    with pytest.raises(ValidationFailed) as error:
        _signup(password="12345678")
    assert "password" in error.value.details
    assert not User.objects.exists()


def test_student_signup_refuses_an_invalid_enrollment_number():
    with pytest.raises(ValidationFailed) as error:
        _signup(enrollment_no="asha")
    assert "enrollment_no" in error.value.details
