"""What a registration writes besides its row: the indexes, each one a query needs, on both engines."""

import pytest
from django.db import connection

from registrations.models import AccessCode, Notification, Registration, Team
from tests.factories import EventFactory, StudentFactory, TeamEventFactory

pytestmark = pytest.mark.django_db

# The registration's indexes. The team and access-code indexes hold only the rows that have one.
REGISTRATION_INDEXES = {
    "registration_event_status",
    "registration_waitlist_order",
    "registration_student_event",
    "registration_team",
    "registration_access_code",
    "registration_one_active_per_student",
}


def _indexes(model) -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: details for name, details in found.items() if details["index"] or details["unique"]}


def _named(indexes: dict[str, dict], unique_column: str) -> set[str]:
    """The indexes the model names; the engine names the primary key's and the unique column's itself."""
    return {
        name
        for name, details in indexes.items()
        if not details["primary_key"] and not (details["unique"] and details["columns"] == [unique_column])
    }


def test_a_registration_updates_only_the_indexes_its_queries_use():
    indexes = _indexes(Registration)

    assert _named(indexes, unique_column="checkin_code") == REGISTRATION_INDEXES
    assert not [name for name in indexes if name.endswith("_like")], "no LIKE 'prefix%' index: nothing searches so"
    assert ["checkin_code"] in [details["columns"] for details in indexes.values() if details["unique"]]


def test_the_email_outbox_keeps_its_student_index_without_a_pattern_copy():
    indexes = _indexes(Notification)

    assert ["enrollment_no"] in [details["columns"] for details in indexes.values()]
    assert not [name for name in indexes if name.endswith("_like")]


def test_the_team_and_access_code_indexes_serve_their_lookups_though_partial():
    leader = StudentFactory()
    team = Team.objects.create(
        team_id="TEAMIDX1", event=TeamEventFactory(), name="Index", leader=leader, status="forming"
    )
    code = AccessCode.objects.create(event=EventFactory(access_code_required=True), code="IDXCODE1", max_uses=5)
    if connection.vendor == "postgresql":  # a table this small is read whole unless told otherwise
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")

    assert "registration_team" in Registration.objects.filter(team=team).explain()
    assert "registration_access_code" in Registration.objects.filter(access_code=code).explain()
