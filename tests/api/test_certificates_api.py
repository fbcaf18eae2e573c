import pytest
from django.conf import settings
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_revoke
from registrations.services import attendance_mark, registration_create
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def attended(event, student=None):
    student = student or StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    return student


def test_an_organizer_issues_a_certificate_and_issuing_again_returns_it(client_for, organizer, event):
    student = attended(event)
    client = client_for(organizer)

    first = client.post(f"/api/v2/certificate/issue/{event.pk}", {"enrollment_no": student.pk}, format="json")
    again = client.post(f"/api/v2/certificate/issue/{event.pk}", {"enrollment_no": student.pk}, format="json")

    assert first.status_code == 201 and again.status_code == 200
    certificate = Certificate.objects.get(event=event, student=student)
    assert first.json() == {
        "certificate_id": certificate.certificate_id,
        "enrollment_no": student.pk,
        "event_id": event.pk,
        "issued_at": timezone.localtime(certificate.issued_at).isoformat(),
        "verify_url": f"{settings.SITE_URL}/certificates/verify/{certificate.certificate_id}",
        "status": "valid",
        "kind": "participation",
        "title": "",
    }
    assert again.json() == first.json()


def test_bulk_issue_gives_every_eligible_student_a_certificate_and_says_who_was_skipped(client_for, organizer, event):
    eligible = attended(event)
    absent = StudentFactory()
    registration_create(event=event, enrollment_no=absent.pk)

    response = client_for(organizer).post(
        f"/api/v2/certificate/issue/{event.pk}", {"all_eligible": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "issued": {eligible.pk: Certificate.objects.get(student=eligible).certificate_id},
        "skipped": {absent.pk: "NOT_ELIGIBLE"},
    }


def test_revoke_keeps_the_certificate_with_its_reason(client_for, organizer, event):
    student = attended(event)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    response = client_for(organizer).post(
        f"/api/v2/certificate/revoke/{event.pk}",
        {"enrollment_no": student.pk, "reason": "Proxy attendance"},
        format="json",
    )

    assert response.status_code == 200
    certificate.refresh_from_db()
    assert response.json() == {
        "certificate_id": certificate.certificate_id,
        "revoked_at": timezone.localtime(certificate.revoked_at).isoformat(),
        "reason": "Proxy attendance",
        "status": "revoked",
    }
    assert certificate.revoked_reason == "Proxy attendance"


def test_verification_is_public_and_shows_no_contacts(client_for, event):
    student = attended(event)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    response = client_for().get(f"/api/v2/certificates/{certificate.certificate_id}/verify")

    assert response.status_code == 200
    assert response.json() == {
        "certificate_id": certificate.certificate_id,
        "valid": True,
        "status": "valid",
        "student_name": student.full_name,
        "event_title": event.title,
        "event_dates": {
            "starts_at": timezone.localtime(event.starts_at).isoformat(),
            "ends_at": timezone.localtime(event.ends_at).isoformat(),
        },
        "issued_at": timezone.localtime(certificate.issued_at).isoformat(),
        "kind": "participation",
        "title": "",
        "heading": "Certificate of Participation",
        "institution": "",
    }
    body = response.content.decode()
    assert student.pk not in body and student.email not in body and student.phone not in body


def test_verification_of_a_revoked_certificate_says_so(client_for, event):
    student = attended(event)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)
    certificate_revoke(event=event, enrollment_no=student.pk, reason="Issued in error")

    shown = client_for().get(f"/api/v2/certificates/{certificate.certificate_id}/verify").json()

    assert (shown["valid"], shown["status"]) == (False, "revoked")
