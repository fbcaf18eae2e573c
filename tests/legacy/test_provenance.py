"""The migration writes over its own rows only: a row the site made is an ID_TAKEN conflict, left as it is."""

import pytest

from events.models import Event
from legacy.models import ImportedEvent, ImportedStudent
from registrations.models import Registration, Student
from registrations.services import registration_create
from tests.factories import EventFactory, StudentFactory
from tests.legacy.conftest import table_dump
from tests.legacy.test_migrate_messy import event_doc, registration

pytestmark = pytest.mark.django_db


def _event_state(event_id: str) -> tuple:
    event = Event.objects.get(pk=event_id)
    return (
        event.title,
        event.capacity,
        event.starts_at,
        event.ends_at,
        event.waitlist_enabled,
        event.confirmed_count,
        event.waitlist_counter,
        sorted(event.organizers.values_list("username", flat=True)),
        sorted(Registration.objects.filter(event=event).values_list("pk", "student_id", "status", "waitlist_seq")),
    )


def test_a_legacy_event_over_an_event_made_in_the_site_is_id_taken_and_changes_nothing(organizer, write_jsonl, migrate):
    live = EventFactory(event_id="TECHFEST24", title="Live fest", capacity=1, waitlist_enabled=True)
    live.organizers.set([organizer])
    first = registration_create(event=live, enrollment_no=StudentFactory(enrollment_no="22ECE30107").pk)
    second = registration_create(event=live, enrollment_no=StudentFactory(enrollment_no="22ECE30108").pk)
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    before = _event_state("TECHFEST24")
    legacy = event_doc(
        "TECHFEST24",
        {"R1": registration("R1", "22CSE30001"), "R2": registration("R2", "22CSE30002")},
        event_name="Legacy fest",
        max_participants=200,
        waitlist=False,
        organizers=[],
    )
    other = event_doc("OTHER", {"R3": registration("R3", "22CSE30003")})
    path = write_jsonl([legacy, other])

    report, output = migrate(path)

    assert [(d["line"], d["event_id"], d["path"], d["code"]) for d in report["dropped"]] == [
        (1, "TECHFEST24", "event_id", "ID_TAKEN")
    ]
    assert "created in the site" in report["dropped"][0]["message"]
    assert report["conflicts_by_kind"] == {"id": 1}
    assert "conflicts: id 1" in output
    assert _event_state("TECHFEST24") == before
    assert not Registration.objects.filter(pk__in=["R1", "R2"]).exists()
    assert not Student.objects.filter(pk__in=["22CSE30001", "22CSE30002"]).exists()
    assert Registration.objects.get(pk="R3").event_id == "OTHER"
    dump = table_dump()

    again, _ = migrate(path)

    assert table_dump() == dump
    assert [d["code"] for d in again["dropped"]] == ["ID_TAKEN"]
    assert all(counts["created"] == counts["updated"] == 0 for counts in again["counts"].values())


def test_a_student_the_migration_did_not_create_keeps_their_details_and_gets_the_registration(write_jsonl, migrate):
    site = StudentFactory(
        enrollment_no="22CSE30001", full_name="Asha V.", email="asha.site@college.edu", department="CSE", year=3
    )
    before = Student.objects.filter(pk=site.pk).values().get()
    legacy = event_doc("OLD", {"R1": registration("R1", "22CSE30001"), "R2": registration("R2", "22CSE30002")})
    path = write_jsonl([legacy])

    report, _ = migrate(path)

    assert Student.objects.filter(pk=site.pk).values().get() == before
    assert Registration.objects.get(pk="R1").student_id == "22CSE30001"
    (conflict,) = [c for c in report["conflicts"] if c["kind"] == "id"]
    assert (conflict["code"], conflict["table"], conflict["id"]) == ("ID_TAKEN", "student", "22CSE30001")
    assert report["counts"]["students"]["created"] == 1  # 22CSE30002, whom the migration owns
    assert not ImportedStudent.objects.filter(pk="22CSE30001").exists()
    assert ImportedStudent.objects.filter(pk="22CSE30002").exists()
    dump = table_dump()

    again, _ = migrate(path)

    assert table_dump() == dump
    assert all(counts["created"] == counts["updated"] == 0 for counts in again["counts"].values())


def test_an_email_held_by_a_site_student_is_not_given_to_an_imported_one(write_jsonl, migrate):
    StudentFactory(enrollment_no="22CSE30001", email="shared@college.edu")
    doc = event_doc("OLD", {"R1": registration("R1", "22CSE30001"), "R2": registration("R2", "22CSE30002")})
    doc["registrations"]["R2"]["student_data"]["email"] = "shared@college.edu"

    migrate(write_jsonl([doc]))

    assert Student.objects.get(pk="22CSE30001").email == "shared@college.edu"
    assert Student.objects.get(pk="22CSE30002").email == ""


def test_the_migration_records_where_each_event_and_student_came_from_and_updates_its_own(write_jsonl, migrate):
    doc = event_doc("OLD", {"R1": registration("R1", "22CSE30001")})
    migrate(write_jsonl([event_doc("FIRST", {}), doc]))

    assert ImportedEvent.objects.get(pk="OLD").source.endswith("events.jsonl line 2")
    assert ImportedStudent.objects.get(pk="22CSE30001").source.endswith("events.jsonl line 2 (event OLD)")
    doc["event_name"] = "Renamed in the export"
    report, _ = migrate(write_jsonl([event_doc("FIRST", {}), doc]))
    assert report["dropped"] == []
    assert Event.objects.get(pk="OLD").title == "Renamed in the export"


def test_an_event_deleted_and_made_again_in_the_site_is_the_sites(write_jsonl, migrate):
    path = write_jsonl([event_doc("OLD", {})])
    migrate(path)
    Event.objects.filter(pk="OLD").delete()
    EventFactory(event_id="OLD", title="Made in the site")

    report, _ = migrate(path)

    assert [d["code"] for d in report["dropped"]] == ["ID_TAKEN"]
    assert Event.objects.get(pk="OLD").title == "Made in the site"


def test_a_legacy_registration_id_taken_by_a_site_registration_is_id_taken(organizer, write_jsonl, migrate):
    live = EventFactory(event_id="LIVE")
    taken = registration_create(event=live, enrollment_no=StudentFactory().pk)

    report, _ = migrate(write_jsonl([event_doc("OLD", {taken.pk: registration(taken.pk, "22CSE30001")})]))

    assert [(d["path"], d["code"]) for d in report["dropped"]] == [(f"registrations.{taken.pk}", "ID_TAKEN")]
    assert Registration.objects.get(pk=taken.pk).event_id == "LIVE"
