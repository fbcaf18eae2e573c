from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from registrations.management.commands import import_students
from registrations.models import Student
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

HEADER = "enrollment_no,full_name,email,department,year,phone\n"


def _csv(tmp_path, text: str, *, name: str = "students.csv", bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _run(path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_students", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _run_failing(path, *args) -> tuple[str, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_students", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failure.value)


def test_import_creates_students_with_normalized_values(tmp_path):
    path = _csv(
        tmp_path,
        HEADER + " 22cse30001 ,Asha  Verma,Asha@College.example,cse,2,98450 12345\n" + "22ECE30107,Ravi Kumar,,ECE,,\n",
    )

    out, err = _run(path)

    assert out.strip() == "2 created, 0 updated, 0 unchanged, 0 bad."
    assert err == ""
    asha = Student.objects.get(pk="22CSE30001")
    assert (asha.full_name, asha.email, asha.department, asha.year, asha.phone) == (
        "Asha Verma",
        "asha@college.example",
        "CSE",
        2,
        "98450 12345",
    )
    assert Student.objects.get(pk="22ECE30107").year is None


def test_import_tolerates_a_byte_order_mark(tmp_path):
    path = _csv(tmp_path, HEADER + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n", bom=True)

    out, _ = _run(path)

    assert out.startswith("1 created")
    assert Student.objects.filter(pk="22CSE30001").exists()


def test_import_reports_every_bad_row_with_its_line_and_reason_and_imports_the_rest(tmp_path):
    StudentFactory(enrollment_no="21ME30009", email="taken@college.example")
    path = _csv(
        tmp_path,
        HEADER
        + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n"  # line 2: good
        + "CSE-1,Bad Number,,CSE,1,\n"  # line 3
        + "22CSE30002,,noname@college.example,CSE,1,\n"  # line 4
        + "22CSE30003,Bad Email,not-an-email,CSE,1,\n"  # line 5
        + "22CSE30004,Bad Year,,CSE,9,\n"  # line 6
        + "22CSE30005,Word Year,,CSE,second,\n"  # line 7
        + "22CSE30006,Email Taken,TAKEN@college.example,CSE,1,\n"  # line 8
        + "22CSE30007,Good Too,,IT,3,\n",  # line 9: good
    )

    out, err, failure = _run_failing(path)

    assert out.strip() == "2 created, 0 updated, 0 unchanged, 6 bad."
    assert failure == "6 bad row(s); the other rows were imported."
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8"]
    assert "not a valid enrollment number" in lines[0]
    assert "full_name: A name is required." in lines[1]
    assert "email: Enter a valid email address." in lines[2]
    assert "year: The year is a whole number from 1 to 6." in lines[3]
    assert "'second' is not a whole number" in lines[4]
    assert "Another student already has this email." in lines[5]
    assert set(Student.objects.values_list("pk", flat=True)) == {"21ME30009", "22CSE30001", "22CSE30007"}


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = _csv(tmp_path, HEADER + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n22ECE30107,Ravi Kumar,,ECE,3,\n")
    _run(path)
    first = list(Student.objects.values())

    out, _ = _run(path)

    assert out.strip() == "0 created, 0 updated, 2 unchanged, 0 bad."
    assert list(Student.objects.values()) == first


def test_import_updates_changed_students(tmp_path):
    StudentFactory(enrollment_no="22CSE30001", full_name="Asha Verma", year=1)
    path = _csv(tmp_path, HEADER + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n")

    out, _ = _run(path)

    assert out.strip() == "0 created, 1 updated, 0 unchanged, 0 bad."
    assert Student.objects.get().year == 2


def test_a_repeated_identical_row_is_unchanged_and_a_contradicting_one_is_bad(tmp_path):
    path = _csv(
        tmp_path,
        HEADER
        + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n"
        + "22cse30001,Asha Verma,asha@college.example,CSE,2,\n"
        + "22CSE30001,Asha Verma,asha@college.example,CSE,3,\n",
    )

    out, err, _ = _run_failing(path)

    assert out.strip() == "1 created, 0 updated, 1 unchanged, 1 bad."
    assert err.strip() == "line 4: 22CSE30001 is already on line 2 with other details."
    assert Student.objects.get().year == 2


def test_extra_columns_are_ignored_with_a_warning_and_columns_may_come_in_any_order(tmp_path):
    path = _csv(tmp_path, "Full_Name,hostel,enrollment_no\nAsha Verma,H4,22CSE30001\n")

    out, err = _run(path)

    assert "Ignoring unknown column(s): hostel." in err
    assert out.startswith("1 created")
    assert Student.objects.get().full_name == "Asha Verma"


def test_line_numbers_count_quoted_line_breaks(tmp_path):
    path = _csv(tmp_path, HEADER + '22CSE30001,"Asha\nVerma",,CSE,2,\n22CSE30002,,,CSE,2,\n')

    _, err, _ = _run_failing(path)

    assert err.startswith("line 4:")
    assert Student.objects.get().full_name == "Asha Verma"


def test_a_file_without_the_required_header_is_refused(tmp_path):
    path = _csv(tmp_path, "22CSE30001,Asha Verma\n")

    _, _, failure = _run_failing(path)

    assert "Line 1 must be the header" in failure
    assert "enrollment_no, full_name" in failure
    assert not Student.objects.exists()


def test_an_empty_file_is_refused(tmp_path):
    _, _, failure = _run_failing(_csv(tmp_path, ""))

    assert "The file is empty" in failure


def test_a_file_that_is_not_utf8_is_refused_and_nothing_is_imported(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "22CSE30001,Asha Verma,,CSE,2,\n22CSE30002,Jos\xe9 Dias,,CSE,2,\n").encode("latin-1"))

    _, _, failure = _run_failing(path)

    assert "not UTF-8" in failure
    assert not Student.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    _, _, failure = _run_failing(tmp_path / "nope.csv")

    assert failure.endswith("nope.csv: no such file.")


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = _csv(tmp_path, HEADER + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n")
    with path.open("r+b") as handle:
        handle.truncate(import_students.MAX_FILE_BYTES + 1)

    _, _, failure = _run_failing(path)

    assert "more than the 20 MB limit" in failure
    assert not Student.objects.exists()


def test_dry_run_reports_but_writes_nothing(tmp_path):
    path = _csv(tmp_path, HEADER + "22CSE30001,Asha Verma,,CSE,2,\n")

    out, _ = _run(path, "--dry-run")

    assert out.strip() == "Dry run, nothing written: 1 created, 0 updated, 0 unchanged, 0 bad."
    assert not Student.objects.exists()


def test_repeats_are_caught_across_the_import_chunks(tmp_path):
    rows = [f"22CSE{40000 + n},Student {n},,CSE,1,\n" for n in range(import_students.CHUNK_ROWS + 20)]
    rows.append("22CSE40000,Student 0,,CSE,1,\n")  # same as line 2
    rows.append("22CSE40001,Student One,,CSE,1,\n")  # contradicts line 3
    path = _csv(tmp_path, HEADER + "".join(rows))

    out, err, _ = _run_failing(path)
    again, _, _ = _run_failing(path)

    created = import_students.CHUNK_ROWS + 20
    assert out.strip() == f"{created} created, 0 updated, 1 unchanged, 1 bad."
    assert err.strip() == f"line {created + 3}: 22CSE40001 is already on line 3 with other details."
    assert again.strip() == f"0 created, 0 updated, {created + 1} unchanged, 1 bad."
    assert Student.objects.get(pk="22CSE40001").full_name == "Student 1"


def test_a_nul_byte_is_a_bad_row_and_the_other_rows_are_imported(tmp_path):
    path = _csv(
        tmp_path,
        HEADER
        + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n"
        + "22CSE30002,Nul\x00Name,nul@college.example,CSE,2,\n"  # line 3
        + "22CSE30003,Ravi Kumar,,CSE,2,\n",
    )

    out, err, _ = _run_failing(path)

    assert out.strip() == "2 created, 0 updated, 0 unchanged, 1 bad."
    assert err.startswith("line 3:") and "NUL" in err
    assert set(Student.objects.values_list("pk", flat=True)) == {"22CSE30001", "22CSE30003"}


@pytest.mark.parametrize(
    "broken",
    [
        '22CSE30002,"Open Quote,open@college.example,CSE,2,\n',  # never closed: it swallowed the lines after it
        '22CSE30002,"Closed" Late,late@college.example,CSE,2,\n',  # text after the closing quote
    ],
)
def test_a_broken_quote_is_a_bad_row_and_the_lines_after_it_are_imported(tmp_path, broken):
    path = _csv(
        tmp_path,
        HEADER
        + "22CSE30001,Asha Verma,asha@college.example,CSE,2,\n"
        + broken  # line 3
        + "22CSE30003,Ravi Kumar,ravi@college.example,ECE,3,\n"
        + '22CSE30004,"Rao, Meena",meena@college.example,ME,1,\n'
        + "22CSE30005,Last Row,,IT,4,\n",
    )

    out, err, failure = _run_failing(path)

    assert out.strip() == "4 created, 0 updated, 0 unchanged, 1 bad."
    assert err.startswith("line 3:") and "quote" in err
    assert sorted(Student.objects.values_list("pk", "full_name")) == [
        ("22CSE30001", "Asha Verma"),
        ("22CSE30003", "Ravi Kumar"),
        ("22CSE30004", "Rao, Meena"),
        ("22CSE30005", "Last Row"),
    ]


def test_a_broken_quote_on_the_last_line_is_a_bad_row(tmp_path):
    path = _csv(tmp_path, HEADER + "22CSE30001,Asha Verma,,CSE,2,\n" + '22CSE30002,"Cut Off,,CSE,2,')

    out, err, _ = _run_failing(path)

    assert out.strip() == "1 created, 0 updated, 0 unchanged, 1 bad."
    assert err.startswith("line 3:")
