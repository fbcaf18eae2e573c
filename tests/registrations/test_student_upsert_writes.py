import pytest

from registrations.models import Student
from registrations.services import student_upsert

pytestmark = pytest.mark.django_db


def test_student_upsert_with_the_same_details_does_not_write_the_row_again():
    student, created = student_upsert(enrollment_no="22cse30001", full_name="Asha Verma", email="Asha@College.example")
    stamped = Student.objects.get().updated_at

    again, created_again = student_upsert(
        enrollment_no="22CSE30001", full_name=" Asha  Verma", email="asha@college.example"
    )

    assert (created, created_again) == (True, False)
    assert again.pk == student.pk
    assert Student.objects.get().updated_at == stamped


def test_student_upsert_writes_only_what_changed():
    student_upsert(enrollment_no="22CSE30001", full_name="Asha Verma", year=1, phone="98450 12345")

    student, created = student_upsert(enrollment_no="22CSE30001", full_name="Asha Verma", year=2)

    assert not created
    stored = Student.objects.get()
    assert (stored.year, stored.phone) == (2, "")
    assert student.year == 2
