"""Two organizers uploading a poster for the same event at the same moment, with real threads
on the real database: one poster is kept, whole, and neither upload fails."""

import pytest

from events.models import EventPoster
from events.services import event_poster_set
from tests.factories import EventFactory, UserFactory
from tests.images import photo_with_gps
from tests.registrations.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_uploads_keep_exactly_one_whole_poster():
    organizers = [UserFactory(username=f"organizer-{n}") for n in range(4)]
    event = EventFactory(organizers=organizers)
    sizes = [(100 + 10 * n, 80) for n in range(4)]
    uploads = [photo_with_gps(size=size) for size in sizes]

    outcomes = run_together(
        [
            lambda organizer=organizer, data=data: event_poster_set(event=event, upload=data, actor=organizer)
            for organizer, data in zip(organizers, uploads, strict=True)
        ]
    )

    assert all(isinstance(outcome, EventPoster) for outcome in outcomes)
    [poster] = EventPoster.objects.filter(event=event)
    assert (poster.width, poster.height) in sizes
    assert poster.uploaded_by.username == f"organizer-{sizes.index((poster.width, poster.height))}"
