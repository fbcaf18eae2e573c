"""Every item of "what real exports contain" (LEGACY_FORMAT.md), in both shapes and mixed."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from events.models import Event
from registrations.models import Attendance, Feedback, Registration, Student

pytestmark = pytest.mark.django_db

KOLKATA = ZoneInfo("Asia/Kolkata")


def event_doc(event_id: str, registrations: dict, **fields) -> dict:
    return {
        "_id": {"$oid": "65f1c0a2e4b0a1b2c3d4e5f6"},
        "event_id": event_id,
        "event_name": f"Event {event_id}",
        "event_type": "individual",
        "start_datetime": {"$date": "2024-03-01T09:00:00Z"},
        "end_datetime": {"$date": "2024-03-02T17:00:00Z"},
        "registration_start": {"$date": "2024-02-01T00:00:00Z"},
        "registration_end": {"$date": "2024-02-28T23:59:59Z"},
        "sessions": ["day1", "day2"],
        "status": "completed",
        "registrations": registrations,
        **fields,
    }


def student(enrollment_no: str, name: str = "Asha Verma", **fields) -> dict:
    return {
        "enrollment_no": enrollment_no,
        "full_name": name,
        "email": f"{enrollment_no.strip().lower()}@college.edu",
        "department": "CSE",
        "semester": 4,
        "mobile_no": "9876543210",
        **fields,
    }


def registration(reg_id: str, enrollment_no: str, when: object = None, **fields) -> dict:
    return {
        "registration_id": reg_id,
        "registration_type": "individual",
        "registration_datetime": when if when is not None else {"$date": "2024-02-03T10:15:00Z"},
        "student_data": student(enrollment_no),
        **fields,
    }


def dropped(report: dict) -> dict[str, str]:
    return {item["path"]: item["code"] for item in report["dropped"]}


def test_extended_json_numbers_and_dates_relaxed_canonical_and_plain(write_jsonl, migrate):
    doc = event_doc(
        "EJSON",
        {
            "R1": registration("R1", "22CSE30001", {"$date": {"$numberLong": "1707041700000"}}),
            "R2": registration("R2", "22CSE30002", "2024-02-04T10:00:00"),
            "R3": registration("R3", "22CSE30003", {"$date": "2024-02-05T10:00:00.250Z"}),
        },
        max_participants={"$numberInt": "150"},
        start_datetime={"$date": {"$numberLong": "1709283600000"}},
        end_datetime="2024-03-02T17:00:00+05:30",
    )
    doc["registrations"]["R1"]["student_data"]["semester"] = {"$numberInt": "3"}
    doc["registrations"]["R2"]["feedback"] = {"feedback_id": "F2", "rating": {"$numberLong": "5"}, "comments": ""}
    migrate(write_jsonl([doc]))

    event = Event.objects.get(pk="EJSON")
    assert event.capacity == 150
    assert event.starts_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2024, 3, 2, 17, 0, tzinfo=KOLKATA)
    stamps = dict(Registration.objects.values_list("registration_id", "registered_at"))
    assert stamps["R1"] == datetime(2024, 2, 4, 10, 15, tzinfo=UTC)
    assert stamps["R2"] == datetime(2024, 2, 4, 10, 0, tzinfo=KOLKATA)  # no zone: the college's
    assert stamps["R3"] == datetime(2024, 2, 5, 10, 0, 0, 250000, tzinfo=UTC)
    assert Student.objects.get(pk="22CSE30001").year == 2
    assert Feedback.objects.get(pk="F2").rating == 5


def test_attendance_feedback_certificate_in_every_form_real_exports_have(write_jsonl, migrate):
    regs = {
        "LIST": registration(
            "LIST", "22CSE30001", attendance=[{"attendance_id": "A1", "session": "day1"}, {"session": "day2"}]
        ),
        "ONE": registration("ONE", "22CSE30002", attendance={"attendance_id": "A3", "session": "day2"}),
        "NULL": registration("NULL", "22CSE30003", attendance=None, feedback=None, certificate=None),
        "NOTMARKED": registration(
            "NOTMARKED",
            "22CSE30004",
            attendance={"marked": False},
            feedback={"submitted": False},
            certificate={"issued": False},
        ),
    }
    report, _ = migrate(write_jsonl([event_doc("FORMS", regs)]))

    event = Event.objects.get(pk="FORMS")
    attendances = dict(event.attendances)
    assert attendances["22CSE30001"][0] == "A1"
    assert attendances["22CSE30001"][1].startswith("LA")  # no id: derived
    assert attendances["22CSE30002"] == ["A3"]
    assert "22CSE30003" not in attendances and "22CSE30004" not in attendances
    assert dict(event.feedbacks) == {} and dict(event.certificates) == {}
    assert report["dropped"] == []


def test_enrollment_numbers_in_any_case_with_stray_spaces_are_one_student(write_jsonl, migrate):
    first = event_doc("E1", {"R1": registration("R1", "  22cse30001 ")})
    second = event_doc("E2", {"R2": registration("R2", "22Cse30001")})
    migrate(write_jsonl([first, second]))

    assert list(Student.objects.values_list("pk", flat=True)) == ["22CSE30001"]
    assert Registration.objects.filter(student_id="22CSE30001").count() == 2


def test_the_newest_registrations_copy_wins_and_every_disagreement_is_a_conflict(write_jsonl, migrate):
    older = registration("R1", "22CSE30001", {"$date": "2023-01-01T00:00:00Z"})
    older["student_data"].update(full_name="Asha V", mobile_no="9000000001")
    newer = registration("R2", "22CSE30001", {"$date": "2024-01-01T00:00:00Z"})
    newer["student_data"].update(full_name="Asha Verma", mobile_no="", email="asha.new@college.edu")
    # the newer copy comes first in the file: order in the file does not matter, the date does
    report, _ = migrate(write_jsonl([event_doc("NEW", {"R2": newer}), event_doc("OLD", {"R1": older})]))

    asha = Student.objects.get(pk="22CSE30001")
    assert asha.full_name == "Asha Verma"
    assert asha.email == "asha.new@college.edu"
    assert asha.phone == "9000000001"  # a blank copy does not erase a value
    conflicts = {(c["enrollment_no"], c["field"]): c for c in report["conflicts"] if c["kind"] == "student"}
    assert set(conflicts) == {("22CSE30001", "full_name"), ("22CSE30001", "email")}
    assert conflicts[("22CSE30001", "full_name")]["kept"] == "Asha Verma"
    assert {v["value"] for v in conflicts[("22CSE30001", "full_name")]["values"]} == {"Asha V", "Asha Verma"}


def test_students_export_wins_over_nested_copies(write_jsonl, migrate, tmp_path):
    events = write_jsonl([event_doc("E1", {"R1": registration("R1", "22CSE30001")})])
    students = write_jsonl(
        [{"enrollment_no": "22cse30001", "full_name": "Asha Official", "semester": {"$numberInt": "6"}}],
        name="students.jsonl",
    )
    report, _ = migrate(events, students=students)

    asha = Student.objects.get(pk="22CSE30001")
    assert (asha.full_name, asha.year, asha.email) == ("Asha Official", 3, "22cse30001@college.edu")
    assert [c["field"] for c in report["conflicts"] if c["kind"] == "student"] == ["full_name", "year"]


def test_an_email_used_by_two_students_stays_with_the_winner_and_is_reported(write_jsonl, migrate):
    first = registration("R1", "22CSE30001", {"$date": "2024-01-01T00:00:00Z"})
    second = registration("R2", "22CSE30002", {"$date": "2024-01-05T00:00:00Z"})
    first["student_data"]["email"] = second["student_data"]["email"] = "Shared@College.edu"
    report, _ = migrate(write_jsonl([event_doc("E1", {"R1": first, "R2": second})]))

    emails = dict(Student.objects.values_list("pk", "email"))
    assert emails == {"22CSE30001": "", "22CSE30002": "shared@college.edu"}
    assert [c for c in report["conflicts"] if c["kind"] == "email"] == [
        {"kind": "email", "email": "shared@college.edu", "kept_by": "22CSE30002", "blanked": ["22CSE30001"]}
    ]


def test_records_that_cannot_be_taken_are_dropped_alone_and_reported(write_jsonl, migrate):
    team = {
        "registration_id": "T1",
        "registration_type": "team",
        "registration_datetime": {"$date": "2024-02-03T00:00:00Z"},
        "student_data": student("22CSE30010"),
        "team_data": {
            "team_name": "Byte Busters",
            "team_leader": "22CSE30010",
            "team_members": [student("22CSE30011"), student("22cse30011"), student("22CSE30010")],
        },
    }
    regs = {
        "NOENR": registration("NOENR", ""),
        "BADRATING": registration(
            "BADRATING",
            "22CSE30001",
            attendance=[{"attendance_id": "A1", "session": "day1"}],
            feedback={"feedback_id": "F1", "rating": 7},
        ),
        "FIRST": registration("FIRST", "22CSE30002", {"$date": "2024-02-02T00:00:00Z"}),
        "AGAIN": registration("AGAIN", "22CSE30002", {"$date": "2024-02-05T00:00:00Z"}),
        "BADSESSION": registration("BADSESSION", "22CSE30003", attendance=[{"attendance_id": "A9", "session": "day9"}]),
        "T1": team,
    }
    doc = event_doc(
        "MESSY",
        regs,
        event_type="team",
        team_size={"min": 1, "max": 4},
        feedbacks={"FX": "22CSE39999"},
    )
    doc["registrations"]["NOENR"]["student_data"].pop("enrollment_no")
    report, _ = migrate(write_jsonl([doc]))

    assert dropped(report) == {
        "registrations.NOENR.student_data.enrollment_no": "NO_ENROLLMENT",
        "registrations.BADRATING.feedback.rating": "INVALID_RATING",
        "registrations.AGAIN": "DUPLICATE_REGISTRATION",
        "registrations.BADSESSION.attendance[0]": "UNKNOWN_SESSION",
        "registrations.T1.team_data.team_members[1]": "DUPLICATE_TEAM_MEMBER",
        "feedbacks.FX": "NOT_REGISTERED",
    }
    assert all(item["file"].endswith("events.jsonl") and item["line"] == 1 for item in report["dropped"])
    event = Event.objects.get(pk="MESSY")
    # the bad rating drops the feedback, not the registration or its attendance
    assert event.registrations["22CSE30001"] == "BADRATING"
    assert event.attendances["22CSE30001"] == ["A1"]
    assert "22CSE30001" not in event.feedbacks
    assert event.registrations["22CSE30002"] == "FIRST"  # the earliest stays
    assert set(event.team_registrations["Byte Busters"]) == {"22CSE30010", "22CSE30011"}
    assert report["counts"]["registrations"]["dropped"] == 3
    assert report["counts"]["feedbacks"]["dropped"] == 2
    assert report["counts"]["attendances"]["dropped"] == 1


def test_history_that_breaks_todays_rules_is_kept_and_warned(write_jsonl, migrate):
    regs = {
        "LATE": registration(
            "LATE",
            "22CSE30001",
            {"$date": "2024-03-01T12:00:00Z"},
            feedback={"feedback_id": "F1", "rating": 2},
            certificate={"certificate_id": "C1", "issued_at": {"$date": "2024-03-05T00:00:00Z"}},
        ),
        "ON_TIME": registration("ON_TIME", "22CSE30002"),
    }
    report, output = migrate(write_jsonl([event_doc("RULES", regs, max_participants=1)]))

    event = Event.objects.get(pk="RULES")
    assert event.confirmed_count == 2  # over capacity, as it happened
    assert event.feedbacks["22CSE30001"] == "F1"
    assert event.certificates["22CSE30001"] == "C1"
    assert report["warnings_by_code"] == {
        "EVENT_FULL": 1,
        "NOT_ATTENDED": 1,
        "NOT_ELIGIBLE": 1,
        "REGISTRATION_CLOSED": 1,
    }
    assert report["dropped"] == []
    assert "REGISTRATION_CLOSED 1" in output


def test_waitlist_places_follow_registration_order_and_counters_match(write_jsonl, migrate):
    team = {
        "registration_id": "TEAMW",
        "registration_type": "team",
        "status": "waitlisted",
        "registration_datetime": {"$date": "2024-02-04T00:00:00Z"},
        "student_data": student("22CSE30005"),
        "team_data": {"team_name": "Late Team", "team_members": [student("22CSE30006")]},
    }
    regs = {
        "W2": registration("W2", "22CSE30002", {"$date": "2024-02-05T00:00:00Z"}, status="waitlisted"),
        "W1": registration("W1", "22CSE30001", {"$date": "2024-02-02T00:00:00Z"}, status="waitlisted"),
        "C1": registration("C1", "22CSE30003", status="confirmed"),
        "X1": registration("X1", "22CSE30004", status="cancelled"),
        "TEAMW": team,
    }
    migrate(write_jsonl([event_doc("WAIT", regs, event_type="team", waitlist=True, max_participants=1)]))

    event = Event.objects.get(pk="WAIT")
    seqs = dict(Registration.objects.filter(event=event).values_list("student_id", "waitlist_seq"))
    assert seqs == {
        "22CSE30001": 1,
        "22CSE30005": 2,
        "22CSE30006": 2,
        "22CSE30002": 3,
        "22CSE30003": None,
        "22CSE30004": None,
    }
    waitlist = list(event.waitlist)
    assert (waitlist[0], set(waitlist[1:3]), waitlist[3]) == ("22CSE30001", {"22CSE30005", "22CSE30006"}, "22CSE30002")
    assert (event.confirmed_count, event.waitlist_counter) == (1, 3)
    codes = dict(Registration.objects.filter(event=event).values_list("student_id", "checkin_code"))
    assert codes["22CSE30001"] is None and codes["22CSE30004"] is None and codes["22CSE30003"]


SECOND_SHAPE = {
    "event_id": "DEVFEST25",
    "event_name": "Dev Fest 2025",
    "event_type": "team",
    "team_size": {"min": 2, "max": 3},
    "start_datetime": "2025-01-20T09:00:00",
    "end_datetime": "2025-01-21T17:00:00",
    "sessions": ["Day 1", "Day 2"],
    "status": "published",
    "registrations": {
        "REGA1B2C3": {
            "registration_id": "REGA1B2C3",
            "registration_type": "team",
            "registration_datetime": "2025-01-10T09:00:00",
            "student_data": {**student("22BEIT30043"), "team_name": "Ctrl Alt Elite", "is_team_leader": True},
        },
        "REGD4E5F6": {
            "registration_id": "REGD4E5F6",
            "registration_type": "team_member",
            "team_registration_id": "REGA1B2C3",
            "team_leader_enrollment": "22BEIT30043",
            "registration_datetime": "2025-01-10T09:00:00",
            "student_data": {**student("22BEIT30051"), "team_name": "Ctrl Alt Elite"},
            "physical_attendance_id": "PHY51",
            "final_attendance_status": "physical_only",
        },
        "REGSOLO": {
            "registration_id": "REGSOLO",
            "registration_type": "team_member",
            "team_registration_id": "REGNOPE",
            "registration_datetime": "2025-01-11T09:00:00",
            "student_data": student("22BEIT30060"),
        },
    },
    "attendances": {
        "ATD0043-101": {
            "enrollment_no": "22BEIT30043",
            "registration_id": "REGA1B2C3",
            "attendance_status": "present",
            "marked_at": "2025-01-20T10:00:00",
        },
        "ATD0043-102": {"enrollment_no": "22beit30043", "attendance_status": "present", "session": "Day 2"},
        "ATD0051-ABS": {"enrollment_no": "22BEIT30051", "attendance_status": "absent", "session": "Day 2"},
        "ATD0099": "22BEIT30099",
    },
    "feedbacks": {"FDB7F3A2C": "22BEIT30043"},
    "certificates": {"CERT9B8C7D": "22BEIT30043"},
}


def test_second_shape_event_level_records_and_member_registrations(write_jsonl, migrate):
    report, _ = migrate(write_jsonl([SECOND_SHAPE]))

    event = Event.objects.get(pk="DEVFEST25")
    assert dict(event.team_registrations) == {
        "Ctrl Alt Elite": {"22BEIT30043": "REGA1B2C3", "22BEIT30051": "REGD4E5F6"}
    }
    assert list(event.sessions.values_list("code", "title")) == [("day-1", "Day 1"), ("day-2", "Day 2")]
    attendances = dict(Attendance.objects.filter(event=event).values_list("attendance_id", "session__code"))
    assert attendances == {"ATD0043-101": "day-1", "ATD0043-102": "day-2", "PHY51": "day-1"}
    marked = Attendance.objects.get(pk="ATD0043-101").marked_at
    assert marked == datetime(2025, 1, 20, 10, 0, tzinfo=KOLKATA)
    feedback = Feedback.objects.get(pk="FDB7F3A2C")
    assert (feedback.student_id, feedback.rating) == ("22BEIT30043", None)  # known only by id: no rating
    assert dict(event.certificates) == {"22BEIT30043": "CERT9B8C7D"}
    assert dropped(report) == {"registrations.REGSOLO": "UNKNOWN_TEAM", "attendances.ATD0099": "NOT_REGISTERED"}


def test_a_json_array_mixing_both_shapes_reports_positions_by_index(write_array, migrate):
    first = event_doc("SHAPE1", {"R1": registration("R1", "22CSE30001", feedback={"feedback_id": "F", "rating": 0})})
    report, _ = migrate(write_array([first, SECOND_SHAPE]))

    assert set(Event.objects.values_list("pk", flat=True)) == {"SHAPE1", "DEVFEST25"}
    positions = {(item["path"], item["index"]) for item in report["dropped"]}
    assert ("registrations.R1.feedback.rating", 0) in positions
    assert ("registrations.REGSOLO", 1) in positions
    assert all("line" not in item for item in report["dropped"])


def test_after_the_import_the_integrity_checks_report_history_that_breaks_todays_rules(write_jsonl, migrate):
    regs = {
        "A": registration("A", "22CSE30001", feedback={"feedback_id": "F1", "rating": 2}),
        "B": registration("B", "22CSE30002"),
    }
    report, output = migrate(write_jsonl([event_doc("OVER", regs, max_participants=1)]))

    assert sorted((problem["code"], problem["event_id"]) for problem in report["integrity"]) == [
        ("CAPACITY_EXCEEDED", "OVER"),
        ("FEEDBACK_WITHOUT_ATTENDANCE", "OVER"),
    ]
    assert "integrity checks over the imported events: CAPACITY_EXCEEDED 1, FEEDBACK_WITHOUT_ATTENDANCE 1" in output


def test_the_import_keeps_counters_codes_and_teams_consistent(write_jsonl, migrate, sample_path):
    report, _ = migrate(sample_path, write_jsonl([SECOND_SHAPE]))

    assert report["integrity"] == []


def test_numbers_no_database_column_can_hold_are_left_out_not_fatal(write_jsonl, migrate):
    doc = event_doc(
        "HUGE",
        {"R1": registration("R1", "22CSE30001")},
        max_participants={"$numberLong": "99999999999"},
        event_type="team",
        team_size={"min": 1, "max": 100000},
    )
    report, _ = migrate(write_jsonl([doc]))

    event = Event.objects.get(pk="HUGE")
    assert (event.capacity, event.team_size_min, event.team_size_max) == (None, 1, 1)
    assert dropped(report) == {"max_participants": "INVALID_VALUE", "team_size": "INVALID_VALUE"}
