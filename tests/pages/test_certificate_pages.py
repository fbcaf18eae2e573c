import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from certificates.services import certificate_issue, certificate_revoke
from registrations.services import attendance_mark, registration_create
from tests.factories import EventFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(event, student):
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    issued, _ = certificate_issue(event=event, enrollment_no=student.pk)
    return issued


def test_verify_shows_valid_name_event_and_dates_and_nothing_else(client, certificate, student, event):
    response = client.get(reverse("certificate-verify", args=[certificate.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Valid certificate" in page
    assert student.full_name.replace("'", "&#x27;") in page
    assert event.title in page
    assert student.email not in page
    assert student.phone not in page
    assert student.pk not in page


def test_verify_says_revoked(client, certificate, event, student):
    certificate_revoke(event=event, enrollment_no=student.pk, reason="Duplicate")
    page = client.get(reverse("certificate-verify", args=[certificate.pk])).content.decode()
    assert "Revoked certificate" in page
    assert "Duplicate" not in page


def test_verify_an_unknown_id_is_404_with_a_plain_message(client):
    response = client.get(reverse("certificate-verify", args=["C<b>nope"]))
    assert response.status_code == 404
    assert "No certificate has the ID" in response.content.decode()
    assert "<b>nope" not in response.content.decode()


def test_the_verify_form_sends_a_typed_id_to_its_page(client, certificate):
    response = client.get(reverse("certificate-verify-form"), {"certificate_id": f" {certificate.pk} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificate-verify", args=[certificate.pk])


def test_an_id_typed_in_lower_case_finds_the_certificate(client, certificate):
    response = client.get(reverse("certificate-verify-form"), {"certificate_id": certificate.pk.lower()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("certificate-verify", args=[certificate.pk])
    assert "Valid certificate" in response.content.decode()


@pytest.mark.parametrize("typed", ["C\x00X", "c\x00x", "C" * 500, "../../etc/passwd", "' OR 1=1 --"])
def test_anything_typed_as_an_id_is_a_404_never_a_500(client, typed):
    response = client.get(reverse("certificate-verify-form"), {"certificate_id": typed}, follow=True)
    assert response.status_code in (400, 404)
    assert client.get(f"/certificates/verify/{typed}").status_code in (400, 404)


def test_the_verify_form_with_nothing_typed_is_a_form_error(client):
    assert client.get(reverse("certificate-verify-form")).status_code == 200
    response = client.get(reverse("certificate-verify-form"), {"certificate_id": "  "})
    assert response.status_code == 400
    assert 'id="id_certificate_id_error"' in response.content.decode()


def _pdf(client, certificate, **headers):
    return client.get(reverse("certificate-pdf", args=[certificate.pk]), **headers)


def test_the_student_downloads_their_pdf(client, certificate, student, login):
    login(student.user)
    response = _pdf(client, certificate)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_another_student_cannot_open_the_pdf(client, certificate, login):
    login(StudentUserFactory().user)
    assert _pdf(client, certificate).status_code == 404


def test_the_events_organizer_and_staff_open_the_pdf(client, certificate, organizer, staff_user, login):
    login(organizer)
    assert _pdf(client, certificate).status_code == 200
    login(staff_user)
    assert _pdf(client, certificate).status_code == 200


def test_an_organizer_of_another_event_cannot_open_the_pdf(client, certificate, other_organizer, login):
    EventFactory(organizers=[other_organizer])
    login(other_organizer)
    assert _pdf(client, certificate).status_code == 404


def test_an_anonymous_visitor_is_sent_to_login(client, certificate):
    response = _pdf(client, certificate)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_pdf_accepts_the_api_token(client, certificate, student):
    token = Token.objects.create(user=student.user)
    response = _pdf(client, certificate, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_pdf_refuses_a_bad_token_with_401(client, certificate):
    response = _pdf(client, certificate, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_another_students_token_gets_404(client, certificate):
    token = Token.objects.create(user=StudentUserFactory().user)
    assert _pdf(client, certificate, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 404


def test_an_unknown_certificate_pdf_is_404(client, student, login):
    login(student.user)
    assert client.get(reverse("certificate-pdf", args=["CNOSUCHCERTIFICATE"])).status_code == 404
    assert client.get("/certificates/C%00X.pdf").status_code == 404
