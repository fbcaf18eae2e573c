from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from registrations.models import Registration, RegistrationStatus, Team
from registrations.services import registration_create
from tests.factories import EventFactory, PastEventFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


def test_event_list_shows_published_events_and_filters_by_status_and_search(client):
    EventFactory(title="Robotics Workshop")
    PastEventFactory(title="Old Quiz Night")
    EventFactory(title="Secret Draft", status=Event.Status.DRAFT)

    everything = client.get(reverse("event-list")).content.decode()
    past = client.get(reverse("event-list"), {"status": "past"}).content.decode()
    searched = client.get(reverse("event-list"), {"q": "robot"}).content.decode()

    assert "Robotics Workshop" in everything and "Old Quiz Night" in everything
    assert "Secret Draft" not in everything
    assert "Old Quiz Night" in past and "Robotics Workshop" not in past
    assert "Robotics Workshop" in searched and "Old Quiz Night" not in searched


def test_event_list_ignores_an_unknown_status_and_a_bad_page_number(client):
    EventFactory(title="Robotics Workshop")
    response = client.get(reverse("event-list"), {"status": "nonsense", "page": "x'; drop"})
    assert response.status_code == 200


def test_home_lists_open_events(client):
    EventFactory(title="Hackathon Open")
    assert "Hackathon Open" in client.get(reverse("home")).content.decode()


def test_a_draft_event_is_not_found_for_students_but_visible_to_its_organizer(client, organizer, student, login):
    draft = EventFactory(status=Event.Status.DRAFT, organizers=[organizer])
    login(student.user)
    assert client.get(reverse("event-detail", args=[draft.pk])).status_code == 404
    login(organizer)
    assert client.get(reverse("event-detail", args=[draft.pk])).status_code == 200


def test_unknown_event_is_404(client):
    assert client.get(reverse("event-detail", args=["no-such-event"])).status_code == 404


def test_anonymous_visitor_sees_a_login_link_and_posting_sends_them_to_login(client, event):
    page = client.get(reverse("event-detail", args=[event.pk])).content.decode()
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"})
    assert "Log in to register" in page
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_student_registers_and_sees_the_checkin_qr_code(client, event, student, login):
    login(student.user)
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"}, follow=True)
    registration = Registration.objects.get(event=event, student=student)
    page = response.content.decode()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert "You are registered" in page
    assert registration.checkin_code in page
    assert '<svg role="img" aria-label="Check-in QR code' in page


def test_student_is_waitlisted_when_full_and_sees_the_place(client, student, login):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(student.user)
    page = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"}, follow=True).content.decode()
    assert "on the waitlist, place 1" in page
    assert Registration.objects.get(event=event, student=student).status == RegistrationStatus.WAITLISTED


def test_a_full_event_without_waitlist_shows_the_error_next_to_the_form(client, student, login):
    event = EventFactory(capacity=1)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    login(student.user)
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"})
    assert response.status_code == 409
    assert "This event is full." in response.content.decode()
    assert not Registration.objects.filter(event=event, student=student).exists()


def test_registering_after_registration_closed_is_a_plain_message(client, student, login):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=1))
    login(student.user)
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"})
    assert response.status_code == 409
    assert "Registration has closed." in response.content.decode()


def test_registering_twice_says_already_registered(client, event, student, login):
    registration_create(event=event, enrollment_no=student.pk)
    login(student.user)
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"})
    assert response.status_code == 409
    assert "Already registered" in response.content.decode()


def test_an_unknown_action_is_a_400_not_a_500(client, event, student, login):
    login(student.user)
    assert client.post(reverse("event-detail", args=[event.pk]), {"action": "explode"}).status_code == 400


def test_an_organizer_without_a_student_record_cannot_register(client, event, organizer, login):
    login(organizer)
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"})
    assert response.status_code == 403
    assert "not linked to a student" in response.content.decode()


def test_student_cancels_and_the_waitlist_moves_up(client, student, login):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=student.pk)
    waiting = StudentFactory()
    registration_create(event=event, enrollment_no=waiting.pk)
    login(student.user)
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "cancel"}, follow=True)
    assert "is cancelled" in response.content.decode()
    assert Registration.objects.get(event=event, student=waiting).status == RegistrationStatus.CONFIRMED


def test_cancelling_asks_once_and_says_what_the_student_loses(client, student, login):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=student.pk)
    login(student.user)

    page = client.get(reverse("event-detail", args=[event.pk])).content.decode()

    # The button that cancels sits inside a closed disclosure, after the sentence that warns.
    disclosure = page[
        page.index('<details class="confirm-cancel">') : page.index("</details>", page.index("confirm-cancel"))
    ]
    assert "<summary" in disclosure and "Cancel my registration</summary>" in disclosure
    assert "Your seat goes to the next student on the waitlist" in disclosure
    assert 'value="cancel"' in disclosure and "Yes, cancel my registration" in disclosure
    assert page.count('value="cancel"') == 1


def test_a_student_starts_a_team_from_the_event_page_and_the_members_are_invited(client, team_event, student, login):
    members = StudentFactory.create_batch(2)
    login(student.user)
    page = client.get(reverse("event-detail", args=[team_event.pk])).content.decode()
    assert "Start the team" in page and "Join a team with a code" in page
    response = client.post(
        reverse("event-detail", args=[team_event.pk]),
        {"action": "team", "team_name": "Byte Me", "members": f"{members[0].pk.lower()}, {members[1].pk}\n"},
        follow=True,
    )
    page = response.content.decode()
    assert "Team Byte Me is started" in page
    assert "Invited" in page and members[0].full_name in page
    assert dict(team_event.team_registrations) == {}
    team = Team.objects.get(name="Byte Me")
    assert team.status == "forming" and team.join_code in page


def test_team_form_shows_an_unknown_member_next_to_the_members_field(client, team_event, student, login):
    login(student.user)
    response = client.post(
        reverse("event-detail", args=[team_event.pk]),
        {"action": "team", "team_name": "Byte Me", "members": "22CSE99999"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_members_error"' in page
    assert "No student with enrollment number 22CSE99999." in page


def test_team_form_shows_a_malformed_enrollment_number_in_plain_words(client, team_event, student, login):
    login(student.user)
    response = client.post(
        reverse("event-detail", args=[team_event.pk]), {"action": "team", "team_name": "X", "members": "not-a-number"}
    )
    assert response.status_code == 400
    assert "is not a valid enrollment number" in response.content.decode()


def test_team_form_reports_a_taken_team_name(client, team_event, student, login):
    from registrations.services import team_register

    first = StudentFactory.create_batch(2)
    team_register(event=team_event, team_name="Alpha", leader=first[0].pk, members=[first[1].pk])
    login(student.user)
    response = client.post(
        reverse("event-detail", args=[team_event.pk]),
        {"action": "team", "team_name": " alpha ", "members": StudentFactory().pk},
    )
    assert response.status_code == 400
    assert "Another team in this event already has this name." in response.content.decode()


def test_team_member_already_registered_is_named(client, team_event, student, login):
    from registrations.services import team_register

    taken = StudentUserFactory()
    team_register(event=team_event, team_name="Alpha", leader=taken.pk, members=[StudentFactory().pk])
    login(student.user)
    response = client.post(
        reverse("event-detail", args=[team_event.pk]), {"action": "team", "team_name": "Beta", "members": taken.pk}
    )
    assert f"Already in a team or registered for this event: {taken.pk}." in response.content.decode()


def test_a_team_member_who_is_not_the_leader_cannot_cancel_the_team(client, team_event, login):
    from registrations.services import team_register

    leader, member = StudentUserFactory(), StudentUserFactory()
    team_register(event=team_event, team_name="Owls", leader=leader.pk, members=[member.pk])
    login(member.user)
    page = client.get(reverse("event-detail", args=[team_event.pk])).content.decode()
    response = client.post(reverse("event-detail", args=[team_event.pk]), {"action": "cancel"})
    assert "Cancel the team" not in page
    assert response.status_code == 403
    assert "Only the team leader or an organizer can cancel a team." in response.content.decode()
    assert set(team_event.team_registrations["Owls"]) == {leader.pk, member.pk}
