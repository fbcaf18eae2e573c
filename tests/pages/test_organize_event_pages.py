from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventAuditEntry
from registrations.models import Registration
from registrations.services import registration_create
from tests.factories import ClubFactory, EventFactory, StaffFactory, StudentFactory, StudentUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides) -> dict:
    starts = timezone.now() + timedelta(days=14)
    data = {
        "title": "Code Jam",
        "event_id": "",
        "description": "Bring a laptop.",
        "venue": "Lab 3",
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=6)),
        "registration_opens_at": "",
        "registration_closes_at": "",
        "capacity": "40",
        "registration_mode": "individual",
        "team_size_min": "",
        "team_size_max": "",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "50",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    return data | overrides


@pytest.fixture
def student_organizer(db):
    student = StudentUserFactory()
    ClubFactory(club_id="coding-club", name="Coding Club", organizers=[student.user])
    return student.user


def test_a_student_organizer_creates_a_draft_with_a_slug_from_its_title(client, login, student_organizer):
    login(student_organizer)
    assert "Coding Club" in client.get(reverse("organize-event-new")).content.decode()
    response = client.post(reverse("organize-event-new"), form_data(club="coding-club"))
    assert response.status_code == 302
    event = Event.objects.get(pk="code-jam")
    assert (event.status, event.club_id, event.capacity, event.venue) == ("draft", "coding-club", 40, "Lab 3")
    assert response["Location"] == reverse("organize-event", args=["code-jam"])


def test_a_taken_slug_is_proposed_with_a_number(client, login, student_organizer):
    EventFactory(event_id="code-jam")
    login(student_organizer)
    client.post(reverse("organize-event-new"), form_data(club="coding-club"))
    assert Event.objects.filter(pk="code-jam-2", club_id="coding-club").exists()


def test_days_are_saved_as_sessions_with_codes_from_their_titles(client, login, student_organizer):
    login(student_organizer)
    starts = timezone.now() + timedelta(days=14)
    client.post(
        reverse("organize-event-new"),
        form_data(
            club="coding-club",
            **{"sessions-0-title": "Day 1", "sessions-0-starts_at": local(starts), "sessions-1-title": "Day 1"},
        ),
    )
    event = Event.objects.get(pk="code-jam")
    assert [(s.code, s.title) for s in event.sessions.order_by("position")] == [
        ("day-1", "Day 1"),
        ("day-1-2", "Day 1"),
    ]


def test_the_service_refusal_is_shown_next_to_the_field(client, login, student_organizer):
    login(student_organizer)
    starts = timezone.now() + timedelta(days=14)
    response = client.post(
        reverse("organize-event-new"), form_data(club="coding-club", ends_at=local(starts - timedelta(days=1)))
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    assert not Event.objects.exists()


def test_someone_in_no_club_cannot_create_events(client, login):
    login(UserFactory())
    assert client.get(reverse("organize-event-new")).status_code == 403


def test_a_club_organizer_cannot_create_for_another_club(client, login, student_organizer):
    ClubFactory(club_id="music-club")
    login(student_organizer)
    response = client.post(reverse("organize-event-new"), form_data(club="music-club"))
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_editing_keeps_the_rules_of_registrations_already_made(client, login, organizer, event):
    event.capacity = 2
    event.save()
    for student in StudentFactory.create_batch(2):
        registration_create(event=event, enrollment_no=student.pk)
    login(organizer)
    page = client.get(reverse("organize-event-edit", args=[event.pk]))
    assert page.status_code == 200
    data = form_data(
        title=event.title,
        capacity="1",
        starts_at=local(event.starts_at),
        ends_at=local(event.ends_at),
        **{"sessions-TOTAL_FORMS": "1", "sessions-0-code": "main", "sessions-0-starts_at": local(event.starts_at)},
    )
    data.pop("event_id")
    response = client.post(reverse("organize-event-edit", args=[event.pk]), data)
    assert response.status_code == 400
    assert "2 students are already confirmed" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 2


def test_publishing_from_the_event_page_and_the_audit_trail(client, login, student_organizer):
    login(student_organizer)
    client.post(reverse("organize-event-new"), form_data(club="coding-club"))
    response = client.post(reverse("organize-event-publish", args=["code-jam"]), follow=True)
    body = response.content.decode()
    assert "is published" in body
    assert "Created (capacity 40, club coding-club, status draft)" in body
    assert "Published (status draft → published)" in body
    assert Event.objects.get(pk="code-jam").status == "published"


def test_with_approval_required_the_organizer_sends_it_and_staff_approve(client, login, student_organizer, settings):
    settings.EVENT_APPROVAL_REQUIRED = True
    login(student_organizer)
    client.post(reverse("organize-event-new"), form_data(club="coding-club"))
    assert "Send for approval" in client.get(reverse("organize-event", args=["code-jam"])).content.decode()
    client.post(reverse("organize-event-publish", args=["code-jam"]))
    assert client.post(reverse("organize-event-approve", args=["code-jam"])).status_code == 403
    login(StaffFactory())
    client.post(reverse("organize-event-approve", args=["code-jam"]))
    assert Event.objects.get(pk="code-jam").status == "published"
    assert list(
        EventAuditEntry.objects.filter(event_id="code-jam").order_by("at", "id").values_list("action", flat=True)
    ) == [
        "created",
        "submitted",
        "approved",
    ]


def test_cancelling_asks_first_then_cancels_and_emails(
    client, login, organizer, event, django_capture_on_commit_callbacks
):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    mail.outbox.clear()
    login(organizer)
    asked = client.get(reverse("organize-event-cancel", args=[event.pk]))
    assert "1 student registered or waiting" in asked.content.decode()
    assert Event.objects.get(pk=event.pk).status == "published"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organize-event-cancel", args=[event.pk]), {"reason": "The speaker is ill."})

    assert Event.objects.get(pk=event.pk).status == "cancelled"
    assert Registration.objects.get(event=event).status == "cancelled"
    assert [message.to for message in mail.outbox] == [[student.email]]
    assert "The speaker is ill." in mail.outbox[0].body


@pytest.mark.parametrize("name", ["organize-event", "organize-event-edit", "organize-event-cancel"])
def test_the_event_pages_are_for_its_organizers(client, login, event, name):
    url = reverse(name, args=[event.pk])
    assert client.get(url).status_code == 302
    login(StudentUserFactory().user)
    assert client.get(url).status_code == 403
    assert client.get(reverse(name, args=["no-such-event"])).status_code == 404
