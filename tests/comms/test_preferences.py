"""Email preferences: one-click unsubscribe from reminders and announcements, the student's page and the API."""

from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from comms.models import EmailPreferences
from comms.services import unsubscribe_token
from registrations import notifications
from registrations.services import registration_create
from tests.api.helpers import error_of
from tests.factories import EventFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reminder_for(student):
    now = timezone.now()
    event = EventFactory(
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
        registration_opens_at=now - timedelta(days=5),
        registration_closes_at=now + timedelta(minutes=10),
    )
    registration = registration_create(event=event, enrollment_no=student.pk)
    type(registration).objects.filter(pk=registration.pk).update(registered_at=now - timedelta(days=2))
    notifications.deliver()
    mail.outbox.clear()
    call_command("send_notifications", "--once", stdout=StringIO())
    [reminder] = mail.outbox
    return reminder


def _path_of(url: str) -> str:
    return urlsplit(url).path


def test_a_reminder_carries_a_one_click_unsubscribe(worker_mode, settings):
    settings.SITE_URL = "https://events.college.example"
    student = StudentFactory()

    reminder = _reminder_for(student)

    header = reminder.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://events.college.example/email/unsubscribe/") and header.endswith("/>")
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] in reminder.body
    assert header[1:-1] in reminder.alternatives[0].content
    message = reminder.message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_mail_clients_one_click_post_turns_reminders_off_without_a_login(client, worker_mode):
    student = StudentFactory()
    url = _reminder_for(student).extra_headers["List-Unsubscribe"][1:-1]

    response = client.post(_path_of(url), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    preferences = EmailPreferences.objects.get(student=student)
    assert (preferences.reminders, preferences.announcements) == (False, True)


def test_opening_the_link_asks_first_and_changes_nothing(client):
    student = StudentFactory()
    path = f"/email/unsubscribe/{unsubscribe_token(enrollment_no=student.pk, emails='announcements')}/"

    response = client.get(path)

    assert response.status_code == 200
    assert "Stop announcements from organizers?" in response.text
    assert not EmailPreferences.objects.exists()

    client.post(path)
    client.post(path)
    assert EmailPreferences.objects.get(student=student).announcements is False


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJzIjoiMjJDU0UzMDAwMSIsImUiOiJyZW1pbmRlcnMifQ:forged", "a" * 300],
)
def test_a_forged_or_damaged_link_changes_nothing(client, token):
    StudentFactory()

    response = client.post(f"/email/unsubscribe/{token}/")

    assert response.status_code == 404
    assert "This link is not valid" in response.text
    assert not EmailPreferences.objects.exists()


def test_a_token_for_other_emails_than_the_optional_ones_is_not_valid(client):
    student = StudentFactory()
    token = unsubscribe_token(enrollment_no=student.pk, emails="certificates")

    assert client.post(f"/email/unsubscribe/{token}/").status_code == 404


def test_a_student_turns_emails_off_and_on_on_their_page(login, student):
    client = login(student.user)

    page = client.get("/me/email/")
    assert page.status_code == 200
    assert 'name="reminders"' in page.text and "checked" in page.text

    response = client.post("/me/email/", {"announcements": "on"}, follow=True)
    assert "Your email preferences are saved." in response.text
    preferences = EmailPreferences.objects.get(student=student)
    assert (preferences.reminders, preferences.announcements) == (False, True)

    client.post("/me/email/", {"reminders": "on", "announcements": "on"})
    preferences.refresh_from_db()
    assert (preferences.reminders, preferences.announcements) == (True, True)


def test_the_preferences_page_is_for_students(login):
    assert login(UserFactory()).get("/me/email/").status_code == 403


def test_the_preferences_page_needs_a_login(client):
    response = client.get("/me/email/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_api_reads_and_sets_the_preferences(client_for, student):
    api = client_for(student)

    assert api.get("/api/v2/me/email-preferences").json() == {"reminders": True, "announcements": True}
    response = api.post("/api/v2/me/email-preferences", {"reminders": False}, format="json")

    assert response.status_code == 200
    assert response.json() == {"reminders": False, "announcements": True}
    assert api.post("/api/v2/me/email-preferences", {"announcements": False}, format="json").json() == {
        "reminders": False,
        "announcements": False,
    }


def test_the_api_refuses_a_non_boolean(client_for, student):
    response = client_for(student).post("/api/v2/me/email-preferences", {"reminders": "perhaps"}, format="json")

    assert response.status_code == 400
    assert error_of(response)["details"] == {"reminders": ["Must be a valid boolean."]}


def test_the_api_needs_a_student(client_for):
    assert error_of(client_for(None).get("/api/v2/me/email-preferences"))["code"] == "NOT_AUTHENTICATED"
    response = client_for(UserFactory()).post("/api/v2/me/email-preferences", {"reminders": False}, format="json")
    assert (response.status_code, error_of(response)["code"]) == (403, "PERMISSION_DENIED")
