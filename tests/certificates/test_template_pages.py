"""The pages where club owners and staff design templates, the event's choice of one, and the
co-curricular record's verification and revocation."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import CertificateTemplate, RecordSnapshot
from certificates.services import Signatory, certificate_issue, certificate_template_create
from registrations.services import attendance_mark, registration_create
from tests.factories import ClubFactory, EventFactory, StaffFactory, StudentUserFactory, UserFactory
from tests.images import png_with_transparency

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def club(owner):
    return ClubFactory(club_id="robotics", name="Robotics Club", owners=[owner])


def form_data(**overrides) -> dict:
    data = {
        "club": "robotics",
        "name": "Winners",
        "institution": "Govt. College of Engineering",
        "accent_color": "#7a1f5c",
        "body": "This certifies that {student_name} is the {title} of {event_title}.",
        "signatory_1_name": "Dr. A. Rao",
        "signatory_1_designation": "Principal",
    }
    return {**data, **overrides}


def _text(response) -> str:
    return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_a_club_owner_designs_a_template_on_its_page(client, owner, club):
    client.force_login(owner)
    assert client.get(reverse("certificate-template-new")).status_code == 200

    signature = SimpleUploadedFile("sig.png", png_with_transparency(), content_type="image/png")
    response = client.post(reverse("certificate-template-new"), form_data(signature_1=signature))

    template = CertificateTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certificate-template-edit", args=[template.pk])
    assert (template.club_id, template.signatories) == (
        "robotics",
        [{"name": "Dr. A. Rao", "designation": "Principal"}],
    )
    assert template.signature_1
    assert "Winners" in client.get(reverse("certificate-templates")).content.decode()


def test_the_preview_draws_what_the_form_says_before_it_is_saved(client, owner, club):
    client.force_login(owner)

    response = client.post(reverse("certificate-template-preview-draft"), form_data(institution="Preview College"))

    assert response["Content-Type"] == "application/pdf"
    text = _text(response)
    assert "Preview College" in text and "Dr. A. Rao" in text and "Aarav Sharma" in text and "Winner" in text
    assert not CertificateTemplate.objects.exists()


def test_the_saved_template_has_a_preview_for_its_designers_only(client, owner, club):
    template = certificate_template_create(club=club, name="W", institution="GCE Pune", actor=owner)
    url = reverse("certificate-template-preview", args=[template.pk])

    client.force_login(owner)
    assert "GCE Pune" in _text(client.get(url))
    client.force_login(StudentUserFactory().user)
    assert client.get(url).status_code == 404


def test_a_bad_placeholder_is_shown_next_to_the_wording(client, owner, club):
    client.force_login(owner)

    response = client.post(reverse("certificate-template-new"), form_data(body="Dear {name"))

    assert response.status_code == 400
    assert "A brace is not closed or stands alone" in response.content.decode()
    assert not CertificateTemplate.objects.exists()


def test_a_bad_image_is_refused_with_a_clear_error_on_the_page(client, owner, club):
    client.force_login(owner)
    not_an_image = SimpleUploadedFile("logo.png", b"this is text, not a picture", content_type="image/png")

    response = client.post(reverse("certificate-template-new"), form_data(logo=not_an_image))

    assert response.status_code == 400
    assert "The file is not a JPEG or PNG image, or it is damaged." in response.content.decode()
    assert not CertificateTemplate.objects.exists()


def test_the_owner_edits_a_template_and_keeps_its_images(client, owner, club):
    template = certificate_template_create(
        club=club, name="W", institution="GCE", signatories=[Signatory("A")], actor=owner
    )
    client.force_login(owner)
    assert client.get(reverse("certificate-template-edit", args=[template.pk])).status_code == 200

    response = client.post(
        reverse("certificate-template-edit", args=[template.pk]),
        form_data(institution="GCE Pune", logo=SimpleUploadedFile("l.png", png_with_transparency())),
    )

    template.refresh_from_db()
    assert response.status_code == 302
    assert template.institution == "GCE Pune" and template.logo


@pytest.mark.parametrize("who", ["organizer", "other_owner", "student"])
def test_others_cannot_design_a_club_template(client, club, owner, who):
    template = certificate_template_create(club=club, name="W", institution="GCE", actor=owner)
    user = UserFactory()
    if who == "organizer":
        club.memberships.create(user=user, role="organizer")
    elif who == "other_owner":
        ClubFactory(owners=[user])
    else:
        user = StudentUserFactory().user
    client.force_login(user)

    assert client.get(reverse("certificate-template-edit", args=[template.pk])).status_code == 404
    created = client.post(reverse("certificate-template-new"), form_data())
    assert created.status_code in (400, 403)
    assert CertificateTemplate.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, settings):
    assert client.get(reverse("certificate-templates"))["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_staff_design_a_college_wide_template_and_an_event_of_any_club_chooses_it(client, club):
    staff = StaffFactory()
    client.force_login(staff)
    client.post(reverse("certificate-template-new"), form_data(club=""))
    template = CertificateTemplate.objects.get()
    assert template.club is None
    event = EventFactory(club=club)

    page = client.get(reverse("organize-event-edit", args=[event.pk])).content.decode()
    assert "Winners (college-wide)" in page


def test_the_organizer_edit_page_picks_the_template(client, owner, club):
    template = certificate_template_create(club=club, name="Winners", institution="GCE", actor=owner)
    certificate_template_create(club=ClubFactory(), name="Elsewhere", institution="X", actor=StaffFactory())
    event = EventFactory(club=club)
    client.force_login(owner)
    url = reverse("organize-event-edit", args=[event.pk])

    page = client.get(url).content.decode()
    assert "Winners (Robotics Club)" in page and "Elsewhere" not in page

    form = {
        "title": event.title,
        "description": event.description,
        "venue": event.venue,
        "starts_at": event.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.strftime("%Y-%m-%dT%H:%M"),
        "registration_mode": "individual",
        "certificate_template": str(template.pk),
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)

    event.refresh_from_db()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert event.certificate_template == template


# The co-curricular record


def _student_with_certificates():
    student = StudentUserFactory(full_name="Ananya Iyer")
    event = EventFactory(title="HackFest")
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk, at=event.starts_at)
    certificate_issue(event=event, enrollment_no=student.pk)
    certificate_issue(event=event, enrollment_no=student.pk, kind="merit", title="First runner-up")
    return student


def test_the_record_lists_each_kind_and_title_and_verifies_itself(client):
    student = _student_with_certificates()
    client.force_login(student.user)

    reader = PdfReader(io.BytesIO(client.get(reverse("my-record-pdf")).content))
    text = reader.pages[0].extract_text()

    assert "Certificate of Participation" in text
    assert "Certificate of Merit: First runner-up" in " ".join(text.split())
    snapshot = RecordSnapshot.objects.get(student=student)
    assert snapshot.verify_url in text.replace("\n", "")
    assert [item["heading"] for item in snapshot.lines[0]["certificates"]] == [
        "Certificate of Participation",
        "Certificate of Merit: First runner-up",
    ]
    page = client.get(snapshot.verify_path).content.decode()
    assert "Valid record" in page and "Certificate of Merit: First runner-up" in page


def test_the_same_record_reuses_its_snapshot_and_a_changed_one_gets_a_new_one(client):
    student = _student_with_certificates()
    client.force_login(student.user)
    client.get(reverse("my-record-pdf"))
    client.get(reverse("my-record-pdf"))
    assert RecordSnapshot.objects.filter(student=student).count() == 1

    event = EventFactory(title="Quiz")
    registration_create(event=event, enrollment_no=student.pk)
    client.get(reverse("my-record-pdf"))
    assert RecordSnapshot.objects.filter(student=student).count() == 2


def test_staff_revoke_a_record_in_the_admin_and_its_page_says_so(client):
    student = _student_with_certificates()
    client.force_login(student.user)
    client.get(reverse("my-record-pdf"))
    snapshot = RecordSnapshot.objects.get()
    client.force_login(StaffFactory(is_superuser=True))

    response = client.post(
        reverse("admin:certificates_recordsnapshot_change", args=[snapshot.pk]), {"revoke_reason": "Forged copy"}
    )

    snapshot.refresh_from_db()
    assert response.status_code == 302
    assert snapshot.is_revoked and snapshot.revoked_reason == "Forged copy"
    page = client.get(snapshot.verify_path)
    assert "Revoked record" in page.content.decode()
    assert client.get(reverse("record-verify", args=["RNOSUCHRECORD"])).status_code == 404


def test_staff_design_a_template_in_the_admin_through_the_service(client, club):
    client.force_login(StaffFactory(is_superuser=True))

    response = client.post(
        reverse("admin:certificates_certificatetemplate_add"),
        {
            "club": "robotics",
            "name": "Admin made",
            "institution": "GCE",
            "accent_color": "#112233",
            "body": "Hi {nope}",
            "signatories": "[]",
        },
    )
    assert response.status_code == 200
    assert "{nope} is not a placeholder" in response.content.decode()
    assert not CertificateTemplate.objects.exists()


def test_verification_names_the_institution_of_the_event_template(client, owner, club):
    template = certificate_template_create(club=club, name="W", institution="GCE Pune", actor=owner)
    event = EventFactory(club=club, certificate_template=template)
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk, kind="merit", title="Winner")

    page = client.get(certificate.verify_path).content.decode()
    answer = client.get(f"/api/v2/certificates/{certificate.pk}/verify").json()

    assert "Issued by" in page and "GCE Pune" in page
    assert answer["institution"] == "GCE Pune"
