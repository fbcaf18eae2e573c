"""The event's lock reads what the ORM reads: its query is compiled once and run through ``Manager.raw``."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, EventQuestion
from eventsite.errors import NotFound
from registrations.services import event_lock
from tests.factories import EventFactory, TeamEventFactory

pytestmark = pytest.mark.django_db


def _fields(event: Event) -> dict:
    return {field.attname: getattr(event, field.attname) for field in Event._meta.concrete_fields}


def _events():
    now = timezone.now()
    plain = EventFactory(capacity=None)
    full = EventFactory(capacity=3, confirmed_count=3, waitlist_enabled=True, waitlist_counter=7)
    closed = EventFactory(registration_opens_at=None, registration_closes_at=now - timedelta(days=1))
    team = TeamEventFactory(status=Event.Status.CANCELLED, description="Line one\nline two")
    asking = EventFactory(capacity=10)
    EventQuestion.objects.create(event=asking, code="diet", label="Diet?")
    archived_only = EventFactory()
    EventQuestion.objects.create(event=archived_only, code="old", label="Old?", archived=True)
    return {plain: False, full: False, closed: False, team: False, asking: True, archived_only: False}


@pytest.mark.parametrize("with_questions", [False, True])
def test_the_lock_reads_every_field_as_the_orm_does(with_questions):
    for event, asks in _events().items():
        expected = Event.objects.get(pk=event.pk)
        with transaction.atomic():
            locked = event_lock(event.pk, with_questions=with_questions)
        assert type(locked) is Event
        assert _fields(locked) == _fields(expected)
        assert locked._state.adding is False and locked._state.db == "default"
        if with_questions:
            assert locked.asks_questions is asks
        # The instance behaves as one the ORM loaded: saving it writes back the same row.
        with transaction.atomic():
            locked.save(update_fields=["confirmed_count"])
        assert _fields(Event.objects.get(pk=event.pk)) == _fields(expected)


def test_the_lock_is_one_query_that_locks_the_row():
    event = EventFactory()
    for _ in range(3):  # the first call compiles the query, the others reuse it
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            event_lock(event, with_questions=True)
        selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        assert len(selects) == 1
        if connection.vendor == "postgresql":
            assert selects[0].endswith("FOR NO KEY UPDATE")


def test_an_unknown_event_is_not_found():
    with transaction.atomic(), pytest.raises(NotFound) as raised:
        event_lock("no-such-event", with_questions=True)
    assert raised.value.details == {"what": "event", "key": "no-such-event"}


@pytest.mark.django_db(transaction=True)
def test_the_lock_outside_a_transaction_is_a_programming_error():
    event = EventFactory()
    with pytest.raises(transaction.TransactionManagementError):
        event_lock(event)
