"""Safe and repeatable: reruns change nothing, dry runs write nothing, bad files stop with a clear error."""

import json

import pytest
from django.core.management import CommandError

from registrations.models import Registration
from tests.legacy.conftest import table_dump, tables_empty
from tests.legacy.test_migrate_messy import SECOND_SHAPE, event_doc, registration

pytestmark = pytest.mark.django_db


def messy_documents() -> list[dict]:
    first = event_doc(
        "E1",
        {
            "R1": registration("R1", "22cse30001 ", attendance=[{"session": "day1"}], feedback={"rating": 4}),
            "R2": registration("R2", "22CSE30002", status="waitlisted"),
            "R3": registration("R3", "22CSE30003", feedback={"feedback_id": "F3", "rating": 9}),
        },
        waitlist=True,
        max_participants=1,
    )
    return [first, SECOND_SHAPE]


def test_importing_twice_changes_nothing(write_jsonl, migrate, sample_path):
    extra = write_jsonl(messy_documents())
    migrate(sample_path, extra)
    first = table_dump()

    report, _ = migrate(sample_path, extra)

    assert table_dump() == first
    for kind, counts in report["counts"].items():
        assert counts["created"] == 0 and counts["updated"] == 0, kind
    assert report["counts"]["registrations"]["unchanged"] == len(first["registrations"])


def test_a_changed_export_updates_only_what_changed(write_jsonl, migrate):
    documents = messy_documents()
    migrate(write_jsonl(documents))
    documents[0]["registrations"]["R2"]["status"] = "cancelled"

    report, _ = migrate(write_jsonl(documents))

    assert report["counts"]["registrations"]["updated"] == 1
    assert Registration.objects.get(pk="R2").status == "cancelled"


def test_dry_run_leaves_every_table_empty_and_prints_the_same_report(write_jsonl, migrate, sample_path):
    extra = write_jsonl(messy_documents())

    dry, dry_output = migrate(sample_path, extra, dry_run=True)

    assert tables_empty()
    real, real_output = migrate(sample_path, extra)
    assert {key: value for key, value in dry.items() if key != "dry_run"} == {
        key: value for key, value in real.items() if key != "dry_run"
    }
    assert dry["dry_run"] is True
    assert dry_output.splitlines()[1:] == real_output.splitlines()[1:]


def test_a_truncated_last_line_is_dropped_with_its_line_number(tmp_path, migrate, write_jsonl):
    path = write_jsonl(messy_documents())
    with path.open("a") as out:
        out.write('{"event_id": "CUT", "registrations": {"R9": {"registration_id": "R9", "stud')

    report, _ = migrate(path)

    assert [(d["line"], d["code"]) for d in report["dropped"] if d["code"] == "INVALID_JSON"] == [(3, "INVALID_JSON")]
    assert report["counts"]["events"]["created"] == 2


def test_a_broken_line_in_the_middle_does_not_stop_the_lines_after_it(tmp_path, migrate):
    first, second = messy_documents()
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(first) + "\n{not json}\n\n" + json.dumps(second) + "\n")

    report, _ = migrate(path)

    assert [(d["line"], d["code"]) for d in report["dropped"] if d["code"] == "INVALID_JSON"] == [(2, "INVALID_JSON")]
    assert report["counts"]["events"]["created"] == 2


def test_a_missing_file_stops_before_anything_is_written(tmp_path, migrate, sample_path):
    with pytest.raises(CommandError, match="no such file"):
        migrate(sample_path, tmp_path / "missing.jsonl")
    assert tables_empty()


def test_a_broken_json_array_stops_with_a_clear_error(tmp_path, migrate):
    path = tmp_path / "events.json"
    path.write_text("[" + json.dumps(messy_documents()[0]) + ", {broken")

    with pytest.raises(CommandError, match="element 1"):
        migrate(path)


def test_a_file_that_is_not_utf8_stops_with_a_clear_error(tmp_path, migrate):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"event_id": "\xff\xfe"}\n')

    with pytest.raises(CommandError, match="not UTF-8"):
        migrate(path)


def test_an_event_without_id_or_start_is_dropped_whole_and_the_rest_imported(write_jsonl, migrate):
    no_id = event_doc("", {"R1": registration("R1", "22CSE30001")})
    no_start = event_doc("NOSTART", {"R1": registration("R1", "22CSE30001")}, start_datetime="someday")
    good = event_doc("GOOD", {"R2": registration("R2", "22CSE30002")})

    report, _ = migrate(write_jsonl([no_id, no_start, good]))

    assert [(d["line"], d["code"]) for d in report["dropped"]] == [(1, "NO_EVENT_ID"), (2, "INVALID_DATE")]
    assert report["counts"]["events"] == {"created": 1, "updated": 0, "unchanged": 0, "dropped": 2}


def test_a_registration_id_already_used_by_another_event_is_dropped_and_reported(write_jsonl, migrate):
    migrate(write_jsonl([event_doc("FIRST", {"R1": registration("R1", "22CSE30001")})]))

    report, _ = migrate(write_jsonl([event_doc("SECOND", {"R1": registration("R1", "22CSE30002")})]))

    assert [(d["path"], d["code"]) for d in report["dropped"]] == [("registrations.R1", "ID_TAKEN")]
    assert Registration.objects.get(pk="R1").event_id == "FIRST"
    assert report["conflicts_by_kind"] == {"id": 1}


def test_import_queries_do_not_grow_with_the_number_of_registrations(write_jsonl, django_assert_max_num_queries):
    from legacy.importer import Importer

    def documents(count: int) -> list[dict]:
        regs = {
            f"R{i}": registration(f"R{i}", f"22CSE3{i:04d}", attendance=[{"session": "day1"}], feedback={"rating": 3})
            for i in range(count)
        }
        return [event_doc(f"SIZE{count}", regs)]

    Importer([write_jsonl(documents(5), "small.jsonl")]).run()
    # 54: the integrity checks run after the import include four on team memberships.
    with django_assert_max_num_queries(54) as small:
        Importer([write_jsonl(documents(10), "ten.jsonl")]).run()
    with django_assert_max_num_queries(54) as large:
        Importer([write_jsonl(documents(200), "large.jsonl")]).run()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_attendance_feedback_and_certificate_ids_of_another_event_are_dropped_and_reported(write_jsonl, migrate):
    def event(event_id: str, reg_id: str, enrollment_no: str) -> dict:
        entry = registration(
            reg_id,
            enrollment_no,
            attendance=[{"attendance_id": "A1", "session": "day1"}],
            feedback={"feedback_id": "F1", "rating": 4},
            certificate={"certificate_id": "C1", "issued_at": {"$date": "2024-02-20T10:00:00Z"}},
        )
        return event_doc(event_id, {reg_id: entry})

    migrate(write_jsonl([event("FIRST", "R1", "22CSE30001")]))

    report, _ = migrate(write_jsonl([event("SECOND", "R2", "22CSE30002")]))

    assert sorted((d["path"], d["code"]) for d in report["dropped"]) == [
        ("attendances.A1", "ID_TAKEN"),
        ("certificates.C1", "ID_TAKEN"),
        ("feedbacks.F1", "ID_TAKEN"),
    ]
    assert sorted(c["table"] for c in report["conflicts"] if c["kind"] == "id") == [
        "attendances",
        "certificates",
        "feedbacks",
    ]
    assert Registration.objects.get(pk="R2").event_id == "SECOND"
    assert report["counts"]["attendances"]["created"] == 0
    assert report["counts"]["registrations"]["created"] == 1
