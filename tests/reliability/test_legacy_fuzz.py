"""The legacy importer takes whatever a mongoexport file holds: it reports what it cannot take, never crashes.

Hypothesis feeds it arbitrary JSON documents, and legacy-shaped documents with random
subtrees replaced by arbitrary JSON. The command either finishes or stops with a
CommandError (a report), never another exception, and every map of every stored event
still loads. (check_integrity is not the invariant here: history is taken as it was, and
history that breaks today's rules is reported as a warning, not dropped.)
"""

import contextlib
import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Event

pytestmark = pytest.mark.django_db

FUZZ_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)

LEGACY_EVENT = {
    "_id": {"$oid": "65f1c0a2e4b0a1b2c3d4e5f6"},
    "event_id": "FUZZFEST",
    "event_name": "Fuzz Fest",
    "event_type": "team",
    "team_size": {"min": 2, "max": 4},
    "max_participants": {"$numberInt": "50"},
    "waitlist": True,
    "start_datetime": {"$date": "2024-03-01T09:00:00Z"},
    "end_datetime": {"$date": {"$numberLong": "1709398800000"}},
    "registration_start": "2024-02-01T00:00:00",
    "registration_end": {"$date": "2024-02-28T23:59:59Z"},
    "sessions": ["day1", "day2"],
    "status": "completed",
    "organizers": ["prof.rao"],
    "registrations": {
        "REG1": {
            "registration_id": "REG1",
            "registration_type": "individual",
            "registration_datetime": {"$date": "2024-02-03T10:15:00Z"},
            "student_data": {
                "enrollment_no": " 22cse30001 ",
                "full_name": "Asha Verma",
                "email": "asha@college.edu",
                "department": "CSE",
                "semester": 4,
                "mobile_no": "9876543210",
            },
            "attendance": [
                {"attendance_id": "ATT1", "session": "day1", "marked_at": {"$date": "2024-03-01T09:05:00Z"}}
            ],
            "feedback": {"feedback_id": "FEED1", "rating": 4, "comments": "Great"},
            "certificate": {
                "certificate_id": "CERT1",
                "issued_at": {"$date": "2024-03-05T10:00:00Z"},
                "revoked": False,
            },
        },
        "REG2": {
            "registration_id": "REG2",
            "registration_type": "team",
            "student_data": {"enrollment_no": "22CSE30002", "full_name": "Ravi Kumar", "email": "ravi@college.edu"},
            "team_data": {
                "team_name": "Byte Busters",
                "team_leader": "22CSE30002",
                "team_members": [{"enrollment_no": "22ECE30107", "full_name": "Meena", "attendance": None}],
            },
            "attendance": {"marked": False},
            "feedback": {"submitted": False},
            "certificate": None,
        },
    },
    "attendances": {"ATD9": {"enrollment_no": "22CSE30002", "attendance_status": "present"}},
    "feedbacks": {"FDB9": "22CSE30002"},
    "certificates": {"CERT9": "22ECE30107"},
}


def paths_of(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths_of(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths_of(inner, (*prefix, index))


LEGACY_PATHS = [path for path in paths_of(LEGACY_EVENT) if path]


@st.composite
def mutated_legacy_events(draw):
    event = copy.deepcopy(LEGACY_EVENT)
    for path in draw(st.lists(st.sampled_from(LEGACY_PATHS), min_size=1, max_size=4)):
        target = event
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced this path's parent
    return event


def import_documents(tmp_path, documents) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text("\n".join(json.dumps(document) for document in documents) + "\n")
    # A reported refusal (CommandError) is an answer; any other exception fails the test.
    with contextlib.suppress(CommandError):
        call_command("migrate_legacy_events", str(source), stdout=StringIO(), stderr=StringIO())
    for event in Event.objects.all():
        for name in ("registrations", "waitlist", "team_registrations", "attendances", "feedbacks", "certificates"):
            dict(getattr(event, name))


@FUZZ_SETTINGS
@given(documents=st.lists(json_values, min_size=1, max_size=3))
def test_importer_reports_arbitrary_json_documents_without_crashing(tmp_path, documents):
    import_documents(tmp_path, documents)


@FUZZ_SETTINGS
@given(document=mutated_legacy_events())
def test_importer_reports_damaged_legacy_events_without_crashing(tmp_path, document):
    import_documents(tmp_path, [document])


def test_importer_takes_the_undamaged_fuzz_seed_event(tmp_path):
    import_documents(tmp_path, [LEGACY_EVENT])

    event = Event.objects.get(pk__iexact="FUZZFEST")
    assert set(event.registrations) == {"22CSE30001", "22CSE30002", "22ECE30107"}
    assert set(event.certificates) == {"22CSE30001", "22ECE30107"}
