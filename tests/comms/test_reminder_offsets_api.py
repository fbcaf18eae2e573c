"""The event field reminder_offsets_minutes: shown, written by organizers, validated."""

import pytest

from tests.api.helpers import error_of

pytestmark = pytest.mark.django_db


def test_an_event_reminds_a_day_and_an_hour_before_by_default(client_for, event):
    shown = client_for(None).get(f"/api/v2/events/{event.pk}/").json()

    assert shown["reminder_offsets_minutes"] == [1440, 60]


def test_an_organizer_sets_the_reminders_of_their_event(client_for, event, organizer):
    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"reminder_offsets_minutes": [2880, 30]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["reminder_offsets_minutes"] == [2880, 30]
    event.refresh_from_db()
    assert event.reminder_offsets_minutes == [2880, 30]


def test_an_organizer_turns_reminders_off_with_an_empty_list(client_for, event, organizer):
    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"reminder_offsets_minutes": []}, format="json"
    )

    assert response.json()["reminder_offsets_minutes"] == []


@pytest.mark.parametrize(
    "offsets",
    [[0], [-60], [40321], [60, 60], [1, 2, 3, 4, 5, 6], ["sixty"], [1.5], "1440", [None]],
)
def test_reminder_offsets_that_make_no_sense_are_a_validation_error(client_for, event, organizer, offsets):
    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"reminder_offsets_minutes": offsets}, format="json"
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"
    assert "reminder_offsets_minutes" in error_of(response)["details"]
    event.refresh_from_db()
    assert event.reminder_offsets_minutes == [1440, 60]


def test_a_student_cannot_change_the_reminders(client_for, event, student):
    response = client_for(student).patch(f"/api/v2/events/{event.pk}/", {"reminder_offsets_minutes": []}, format="json")

    assert response.status_code == 403
