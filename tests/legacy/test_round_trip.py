"""import(export(import(x))) == import(x), for generated legacy documents."""

import json

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from certificates.models import Certificate
from events.models import Event, EventSession
from legacy.exporter import export_events
from legacy.importer import Importer
from registrations.models import Attendance, Feedback, Registration, Student, Team
from tests.legacy.conftest import table_dump

pytestmark = pytest.mark.django_db

ENROLLMENTS = [f"{22 + n % 3}{dept}3{n:04d}" for n, dept in enumerate(["CSE", "ECE", "ME", "IT"] * 3)]
SESSIONS = ["day1", "day2", "Day 3"]
moments = st.integers(min_value=0, max_value=60 * 24 * 30).map(
    lambda minutes: {"$date": f"2024-02-{1 + minutes // 1440:02d}T{minutes // 60 % 24:02d}:{minutes % 60:02d}:00Z"}
)


@st.composite
def student_data(draw, enrollment_no: str) -> dict:
    return {
        "enrollment_no": draw(st.sampled_from([enrollment_no, enrollment_no.lower(), f" {enrollment_no} "])),
        "full_name": draw(st.sampled_from(["Asha Verma", "Asha V", "Ravi Kumar"])),
        "email": draw(st.sampled_from([f"{enrollment_no.lower()}@college.edu", "shared@college.edu", ""])),
        "department": enrollment_no[2:-5],
        "semester": draw(st.one_of(st.none(), st.integers(1, 12))),
        "mobile_no": draw(st.sampled_from(["", "9800000001", "9800000002"])),
    }


@st.composite
def participation(draw, sessions: list[str]) -> dict:
    attended = draw(st.lists(st.sampled_from(sessions), unique=True, max_size=len(sessions)))
    out = {"attendance": [{"session": name, "marked_at": draw(moments)} for name in attended]}
    out["feedback"] = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"rating": st.one_of(st.none(), st.integers(1, 5)), "comments": st.sampled_from(["", "good"])}
            ),
        )
    )
    out["certificate"] = draw(
        st.one_of(st.none(), st.fixed_dictionaries({"issued_at": moments, "revoked": st.booleans()}))
    )
    return out


@st.composite
def legacy_event(draw, number: int) -> dict:
    team = draw(st.booleans())
    sessions = draw(st.sampled_from([None, SESSIONS[:1], SESSIONS]))
    people = draw(st.lists(st.sampled_from(ENROLLMENTS), min_size=1, max_size=6))
    registrations = {}
    position = 0
    while position < len(people):
        size = draw(st.integers(1, 3)) if team else 1
        members = people[position : position + size]
        reg_id = f"REG{number}X{position}"
        entry = {
            "registration_id": reg_id,
            "registration_type": "team" if team else "individual",
            "registration_datetime": draw(moments),
            "status": draw(st.sampled_from([None, "confirmed", "waitlisted", "cancelled"])),
            "student_data": draw(student_data(members[0])),
            **draw(participation(sessions or ["main"])),
        }
        if team:
            entry["team_data"] = {
                "team_name": draw(st.sampled_from(["Byte Busters", "byte busters", "Null Pointers"])),
                "team_members": [
                    {**draw(student_data(member)), **draw(participation(sessions or ["main"]))}
                    for member in members[1:]
                ],
            }
        registrations[reg_id] = entry
        position += size
    document = {
        "event_id": f"EV{number}",
        "event_name": f"Event {number}",
        "event_type": "team" if team else "individual",
        "start_datetime": {"$date": "2024-03-01T09:00:00Z"},
        "end_datetime": {"$date": "2024-03-02T17:00:00Z"},
        "registration_start": draw(st.one_of(st.none(), st.just({"$date": "2024-02-01T00:00:00Z"}))),
        "max_participants": draw(st.one_of(st.none(), st.integers(0, 5))),
        "waitlist": draw(st.booleans()),
        "status": draw(st.sampled_from(["completed", "published", "draft", "cancelled"])),
        "registrations": registrations,
    }
    if sessions is not None:
        document["sessions"] = sessions
    return document


def wipe() -> None:
    for model in (Certificate, Feedback, Attendance, Registration, Team, EventSession, Event, Student):
        model.objects.all().delete()


# Each example runs two imports and an export; shrinking a failure would take minutes, so a failure
# is reported as generated.
@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    documents=st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True).flatmap(
        lambda numbers: st.tuples(*(legacy_event(number) for number in numbers))
    )
)
def test_import_of_the_export_of_an_import_is_the_import(tmp_path, documents):
    wipe()
    source = tmp_path / "source.jsonl"
    source.write_text("".join(json.dumps(doc) + "\n" for doc in documents))
    Importer([source]).run()
    imported = table_dump(timestamps=False)

    exported = tmp_path / "exported.jsonl"
    export_events(exported)
    wipe()
    Importer([exported]).run()

    assert table_dump(timestamps=False) == imported
