import pytest
from django.urls import reverse

from registrations.models import FeedbackAnswer
from tests.factories import AttendanceFactory, FeedbackQuestionFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


def test_the_history_page_links_the_record_pdf_and_the_calendar_feed(client):
    student = StudentUserFactory()
    client.force_login(student.user)

    page = client.get(reverse("my-history")).content.decode()

    assert f'href="{reverse("my-record-pdf")}"' in page
    assert f"http://testserver{reverse('student-calendar-feed', args=[student.calendar_token])}" in page
    assert f'action="{reverse("student-calendar-rotate")}"' in page


def test_replacing_the_calendar_address_from_the_history_page_returns_to_it(client):
    student = StudentUserFactory()
    old = student.calendar_token
    client.force_login(student.user)

    response = client.post(reverse("student-calendar-rotate"), {"next": reverse("my-history")}, follow=True)

    student.refresh_from_db()
    assert student.calendar_token != old
    assert response.redirect_chain[-1][0] == reverse("my-history")
    assert student.calendar_token in response.content.decode()


def test_the_feedback_api_takes_answers_to_the_events_questions(api_client, event):
    attendance = AttendanceFactory(registration__event=event, registration__student=StudentUserFactory())
    question = FeedbackQuestionFactory(event=event, kind="rating", required=True)
    api_client.force_authenticate(attendance.student.user)
    url = f"/api/v2/feedback/submit/{event.pk}"

    refused = api_client.post(url, {"rating": 5, "answers": {str(question.pk): 9}}, format="json")
    accepted = api_client.post(url, {"rating": 5, "answers": {str(question.pk): 4}}, format="json")

    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == {
        f"question_{question.pk}": ["The rating is a whole number from 1 to 5."]
    }
    assert accepted.status_code == 201
    assert FeedbackAnswer.objects.get().rating == 4
