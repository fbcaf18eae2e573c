import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from registrations.models import Student
from registrations.services import student_upsert
from tests.factories import StudentFactory

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


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of rows would be scanned anyway; ask whether the index can serve the lookup.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " ".join(str(cell) for row in cursor.fetchall() for cell in row)


def test_the_email_check_of_student_upsert_is_served_by_the_email_index():
    StudentFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        student_upsert(enrollment_no="22CSE30001", full_name="Asha Verma", email="asha@college.example")
    (email_check,) = [query["sql"] for query in queries if "LOWER(" in query["sql"].upper()]

    with transaction.atomic():
        assert "student_email_unique_ci" in _plan(email_check)
