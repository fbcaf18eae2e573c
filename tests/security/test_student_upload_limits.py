"""The students CSV (import_students) is limited in size and type: oversize, binary and absurd files import nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from registrations.management.commands.import_students import MAX_FIELD_CHARS, MAX_FILE_BYTES
from registrations.models import Student

pytestmark = pytest.mark.django_db

HEADER = "enrollment_no,full_name,email,department,year,phone\n"


def import_students(path):
    return call_command("import_students", str(path), stdout=StringIO(), stderr=StringIO())


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "students.csv"
    with path.open("wb") as handle:
        handle.write(HEADER.encode() + b"24CSE00001,Asha,asha@college.example,CSE,1,98\n")
        handle.truncate(MAX_FILE_BYTES + 1)

    with pytest.raises(CommandError, match="limit"):
        import_students(path)

    assert not Student.objects.exists()


def test_a_binary_file_is_refused_and_nothing_is_imported(tmp_path):
    path = tmp_path / "students.csv"
    path.write_bytes(
        HEADER.encode() + b"24CSE00001,Asha,a@college.example,CSE,1,98\n" + b"\x89PNG\r\n\x1a\n\xff\xfe\x00"
    )

    with pytest.raises(CommandError, match="UTF-8"):
        import_students(path)

    assert not Student.objects.exists()


def test_a_field_longer_than_any_column_is_a_bad_row_not_a_student(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text(HEADER + f"24CSE00001,{'A' * (MAX_FIELD_CHARS + 1)},a@college.example,CSE,1,98\n")

    with pytest.raises(CommandError, match="bad row"):
        import_students(path)

    assert not Student.objects.exists()


def test_the_limits_are_sane():
    assert MAX_FILE_BYTES <= 50 * 1024 * 1024
    assert MAX_FIELD_CHARS <= 100_000
