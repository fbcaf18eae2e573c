"""Legacy files built to hurt the reader: deep nesting, huge records, the same event twice."""

import json
import tracemalloc

import pytest

from events.models import Event
from legacy.reader import read_documents
from registrations.models import Registration
from tests.legacy.conftest import table_dump
from tests.legacy.test_migrate_messy import event_doc, registration

pytestmark = pytest.mark.django_db


def _lines(*texts: str) -> str:
    return "".join(text + "\n" for text in texts)


@pytest.mark.parametrize("reader_process", ["off", "on"])
def test_deep_nesting_is_invalid_json_for_that_line_and_the_next_lines_are_read(tmp_path, migrate, reader_process):
    first = event_doc("BEFORE", {"R1": registration("R1", "22CSE30001")})
    after = event_doc("AFTER", {"R2": registration("R2", "22CSE30002")})
    nested_field = '{"event_id": "DEEP", "sessions": ' + "[" * 200_000 + "}"
    # Deep, but within what Python's decoder manages: refused the same in the reader process and without it.
    closed = event_doc("CLOSED", {"R9": registration("R9", "22CSE30009")}, sessions=json.loads("[" * 500 + "]" * 500))
    path = tmp_path / "events.jsonl"
    # The first line too: "[[[" does not make the file a JSON array (mongoexport writes "[{").
    path.write_text(_lines("[" * 200_000, json.dumps(first), nested_field, json.dumps(closed), json.dumps(after)))

    report, _ = migrate(path, reader_process=reader_process)

    assert [(d["line"], d["code"]) for d in report["dropped"]] == [(n, "INVALID_JSON") for n in (1, 3, 4)]
    assert "nested" in report["dropped"][0]["message"]
    assert set(Event.objects.values_list("pk", flat=True)) == {"BEFORE", "AFTER"}


def test_deep_nesting_inside_a_registration_drops_that_line_only(tmp_path, migrate):
    deep = '{"event_id": "DEEP", "registrations": {"R1": ' + "[" * 100_000 + "}"
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(deep, json.dumps(event_doc("AFTER", {"R2": registration("R2", "22CSE30002")}))))

    report, _ = migrate(path)

    assert [(d["line"], d["code"]) for d in report["dropped"]] == [(1, "INVALID_JSON")]
    assert list(Event.objects.values_list("pk", flat=True)) == ["AFTER"]


def test_a_record_over_the_cap_is_refused_and_the_next_lines_are_read(tmp_path, migrate):
    big = event_doc("BIG", {"R1": registration("R1", "22CSE30001")}, event_description="x" * 3_000_000)
    unterminated = '{"event_id": "OPEN", "event_description": "' + "y" * 3_000_000
    after = event_doc("AFTER", {"R2": registration("R2", "22CSE30002")})
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(json.dumps(big), unterminated, json.dumps(after)))

    report, _ = migrate(path, extra=["--max-record-mb", "1"])

    assert [(d["line"], d["code"]) for d in report["dropped"]] == [(1, "RECORD_TOO_LARGE"), (2, "RECORD_TOO_LARGE")]
    assert "1 MB" in report["dropped"][0]["message"]
    assert list(Event.objects.values_list("pk", flat=True)) == ["AFTER"]


def test_under_the_default_cap_the_same_record_is_imported(write_jsonl, migrate):
    big = event_doc("BIG", {"R1": registration("R1", "22CSE30001")}, event_description="x" * 3_000_000)

    report, _ = migrate(write_jsonl([big]))

    assert report["dropped"] == []
    assert len(Event.objects.get(pk="BIG").description) == 3_000_000


def test_the_reader_holds_about_the_cap_of_an_unterminated_40_mb_line(tmp_path):
    path = tmp_path / "events.jsonl"
    with path.open("w") as out:
        out.write('{"event_id": "OPEN", "event_description": "')
        for _ in range(40):
            out.write("z" * (1 << 20))
        out.write("\n" + json.dumps(event_doc("AFTER", {})) + "\n")

    tracemalloc.start()
    try:
        documents = []
        for document in read_documents(path, max_record_mb=1):
            document.drain()
            error = document.error.code if document.error else None
            documents.append((document.position, error, document.fields.get("event_id")))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert documents == [(1, "RECORD_TOO_LARGE", "OPEN"), (2, None, "AFTER")]
    assert peak < 8 << 20  # a few times the 1 MB cap and the 1 MB read chunk; the line is 40 MB


def test_a_registration_entry_over_the_cap_is_refused_while_a_long_event_of_small_ones_is_not(tmp_path, migrate):
    many = {f"R{i}": registration(f"R{i}", f"22CSE3{i:04d}") for i in range(5000)}
    long_event = event_doc("LONG", many)  # about 1.5 MB in all, every entry small
    fat_entry = event_doc("FAT", {"R1": {**registration("R1", "22CSE30001"), "notes": "n" * 2_000_000}})
    path = tmp_path / "events.jsonl"
    path.write_text(_lines(json.dumps(long_event), json.dumps(fat_entry)))
    assert len(json.dumps(long_event)) > 1 << 20

    report, _ = migrate(path, extra=["--max-record-mb", "1"])

    assert [(d["line"], d["code"]) for d in report["dropped"]] == [(2, "RECORD_TOO_LARGE")]
    assert Registration.objects.filter(event_id="LONG").count() == 5000


@pytest.mark.parametrize("reader_process", ["off", "on"])
def test_the_same_event_twice_in_one_file_keeps_the_first_copy_and_reports_the_second(
    write_jsonl, migrate, reader_process
):
    first = event_doc("TWICE", {"R1": registration("R1", "22CSE30001")}, event_name="First copy")
    second = event_doc("TWICE", {"R2": registration("R2", "22CSE30002")}, event_name="Second copy")
    path = write_jsonl([first, second])

    report, _ = migrate(path, reader_process=reader_process)

    (duplicate,) = report["dropped"]
    assert (duplicate["line"], duplicate["event_id"], duplicate["code"]) == (2, "TWICE", "DUPLICATE_ID")
    assert "line 1" in duplicate["message"] and "first copy stays" in duplicate["message"]
    assert Event.objects.get(pk="TWICE").title == "First copy"
    assert set(Registration.objects.filter(event_id="TWICE").values_list("pk", flat=True)) == {"R1"}
    dump = table_dump()
    again, _ = migrate(path, reader_process=reader_process)
    assert table_dump() == dump
    assert [d["code"] for d in again["dropped"]] == ["DUPLICATE_ID"]
    assert all(counts["created"] == counts["updated"] == 0 for counts in again["counts"].values())


def test_the_same_event_in_two_files_keeps_the_copy_of_the_first_file(write_jsonl, migrate):
    first = write_jsonl([event_doc("TWICE", {}, event_name="2023 file")], name="2023.jsonl")
    second = write_jsonl([event_doc("TWICE", {}, event_name="2024 file")], name="2024.jsonl")

    report, _ = migrate(first, second)

    (duplicate,) = report["dropped"]
    assert duplicate["file"].endswith("2024.jsonl") and duplicate["code"] == "DUPLICATE_ID"
    assert "2023.jsonl" in duplicate["message"]
    assert Event.objects.get(pk="TWICE").title == "2023 file"
