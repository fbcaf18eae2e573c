"""Who may register, on the pages: the event page says it before anyone tries; organizers set it and make codes."""

import pytest
from django.urls import reverse

from events.models import Event
from registrations.models import AccessCode, Registration, RegistrationStatus
from registrations.services import access_codes_generate, registration_create, registration_reject
from registrations.teams import team_create
from tests.factories import EventFactory, StudentUserFactory
from tests.pages.test_organize_event_pages import form_data

pytestmark = pytest.mark.django_db


def test_a_student_outside_the_audience_reads_why_and_gets_no_button(client):
    event = EventFactory(eligible_departments=["CSE", "ECE"], eligible_years=[3, 4])
    student = StudentUserFactory(department="ME", year=3)
    client.force_login(student.user)
    page = client.get(reverse("event-detail", args=[event.pk])).content.decode()
    assert (
        "This event is for CSE and ECE students in years 3 and 4. You cannot register: your department is ME." in page
    )
    assert 'value="register"' not in page


def test_a_student_inside_the_audience_sees_who_it_is_for_and_registers(client):
    event = EventFactory(eligible_departments=["CSE"])
    student = StudentUserFactory(department="CSE")
    client.force_login(student.user)
    page = client.get(reverse("event-detail", args=[event.pk])).content.decode()
    assert "This event is for CSE students." in page and 'value="register"' in page
    response = client.post(reverse("event-detail", args=[event.pk]), {"action": "register"})
    assert response.status_code == 302
    assert Registration.objects.get(event=event, student=student).status == RegistrationStatus.CONFIRMED


def test_an_invite_only_event_asks_for_the_code_and_says_when_it_is_wrong(client, organizer):
    event = EventFactory(organizers=[organizer], access_code_required=True)
    (code,) = access_codes_generate(event=event, count=1, max_uses=1, actor=organizer)
    student = StudentUserFactory()
    client.force_login(student.user)
    url = reverse("event-detail", args=[event.pk])
    assert 'name="access_code"' in client.get(url).content.decode()
    wrong = client.post(url, {"action": "register", "access_code": "WRONG123"})
    assert wrong.status_code == 409
    assert "not valid for this event" in wrong.content.decode() and 'value="WRONG123"' in wrong.content.decode()
    right = client.post(url, {"action": "register", "access_code": code.code.lower()})
    assert right.status_code == 302
    assert Registration.objects.get(event=event, student=student).access_code == code


def test_a_pending_registration_says_it_waits_and_can_be_withdrawn(client):
    event = EventFactory(approval_required=True)
    student = StudentUserFactory()
    client.force_login(student.user)
    url = reverse("event-detail", args=[event.pk])
    assert "Ask to register" in client.get(url).content.decode()
    client.post(url, {"action": "register"})
    page = client.get(url).content.decode()
    assert "is waiting for the organizers&#x27; approval" in page and "Withdraw my request" in page
    client.post(url, {"action": "cancel"})
    assert Registration.objects.get(event=event, student=student).status == RegistrationStatus.CANCELLED


def test_a_team_event_by_invitation_asks_for_the_code_in_the_team_form(client, organizer):
    event = EventFactory(
        organizers=[organizer], registration_mode="team", team_size_min=1, team_size_max=3, access_code_required=True
    )
    student = StudentUserFactory()
    client.force_login(student.user)
    url = reverse("event-detail", args=[event.pk])
    other = StudentUserFactory()
    body = {"action": "team", "team_name": "Duo", "members": other.pk, "access_code": "NOPE"}
    response = client.post(url, body)
    assert response.status_code == 400 and "This access code is not valid for this event" in response.content.decode()


def test_an_organizer_sets_the_audience_on_the_edit_page(client, organizer):
    event = EventFactory(organizers=[organizer], status=Event.Status.DRAFT)
    client.force_login(organizer)
    url = reverse("organize-event-edit", args=[event.pk])
    data = form_data(
        title=event.title,
        eligible_departments="cse, ece",
        eligible_years=["3", "4"],
        access_code_required="on",
        approval_required="on",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    event.refresh_from_db()
    assert (event.eligible_departments, event.eligible_years) == (["CSE", "ECE"], [3, 4])
    assert event.access_code_required and event.approval_required
    assert 'value="CSE, ECE"' in client.get(url).content.decode()


def test_a_bad_department_code_is_shown_next_to_its_field(client, organizer):
    event = EventFactory(organizers=[organizer], status=Event.Status.DRAFT)
    client.force_login(organizer)
    response = client.post(
        reverse("organize-event-edit", args=[event.pk]), form_data(title=event.title, eligible_departments="C$E")
    )
    assert response.status_code == 400 and "Department codes of 2 to 10 letters" in response.content.decode()


def test_organizers_make_codes_on_a_page_and_see_their_use(client, organizer):
    event = EventFactory(organizers=[organizer], access_code_required=True)
    client.force_login(organizer)
    url = reverse("event-access-codes", args=[event.pk])
    response = client.post(url, {"count": "3", "max_uses": "2"})
    assert response.status_code == 200
    codes = list(AccessCode.objects.filter(event=event))
    assert len(codes) == 3 and all(code.code in response.content.decode() for code in codes)
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk, access_code=codes[0].code, actor=student.user)
    assert "1 of 2" in client.get(url).content.decode()
    assert "Access codes" in client.get(reverse("organize-event", args=[event.pk])).content.decode()


def test_my_events_lists_a_request_awaiting_approval(client):
    event = EventFactory(approval_required=True, title="Research talk")
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk, actor=student.user)
    client.force_login(student.user)
    page = client.get(reverse("my-events")).content.decode()
    assert "Research talk" in page and "Waiting for the organizers' approval" in page


@pytest.mark.parametrize("mode", ["individual", "team"])
def test_a_rejected_student_reads_it_once_above_the_way_to_ask_again(client, organizer, mode):
    team = {"registration_mode": "team", "team_size_min": 1, "team_size_max": 3} if mode == "team" else {}
    event = EventFactory(organizers=[organizer], approval_required=True, **team)
    student = StudentUserFactory()
    if mode == "team":
        team = team_create(event=event, team_name="Solo", invite=[], actor=student.user)
        registration = team.registrations.get()
    else:
        registration = registration_create(event=event, enrollment_no=student.pk, actor=student.user)
    registration_reject(registration=registration, actor=organizer)
    client.force_login(student.user)
    page = client.get(reverse("event-detail", args=[event.pk])).content.decode()
    assert page.count("The organizers did not approve your last registration. You may ask again.") == 1
    assert ('value="team"' if mode == "team" else 'value="register"') in page
