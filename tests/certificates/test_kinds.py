"""Certificate kinds: participation by the rule, merit with a title, volunteer, organizer; one per kind."""

import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.pdf import certificate_pdf
from certificates.services import certificate_issue, certificate_revoke
from eventsite.errors import NotEligible, NotFound, ValidationFailed
from registrations.services import attendance_mark, registration_cancel, registration_create
from tests.factories import EventFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(title="HackFest", sessions=["day-1", "day-2"], min_sessions_for_certificate=2)


def registered(event, *sessions):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    for code in sessions:
        attendance_mark(event=event, enrollment_no=student.pk, session=code, at=event.sessions.get(code=code).starts_at)
    return student


def test_a_winner_holds_a_merit_certificate_and_a_participation_one(event):
    winner = registered(event, "day-1", "day-2")

    merit, created = certificate_issue(event=event, enrollment_no=winner.pk, kind="merit", title="  Winner ")
    participation, _ = certificate_issue(event=event, enrollment_no=winner.pk)
    again, created_again = certificate_issue(event=event, enrollment_no=winner.pk, kind="merit", title="Winner")

    assert created and not created_again and again == merit
    assert (merit.kind, merit.title, merit.heading) == ("merit", "Winner", "Certificate of Merit: Winner")
    assert participation.kind == "participation" and participation.pk != merit.pk
    assert Certificate.objects.filter(event=event, student=winner).count() == 2


def test_merit_needs_a_title_and_a_confirmed_registration_but_not_the_attendance_rule(event):
    one_day = registered(event, "day-1")
    with pytest.raises(ValidationFailed) as error:
        certificate_issue(event=event, enrollment_no=one_day.pk, kind="merit", title=" ")
    assert list(error.value.details) == ["title"]
    with pytest.raises(NotEligible):
        certificate_issue(event=event, enrollment_no=one_day.pk)  # participation: 1 of 2 sessions

    merit, created = certificate_issue(event=event, enrollment_no=one_day.pk, kind="merit", title="First runner-up")
    assert created and merit.registration is not None
    stranger = StudentFactory()
    with pytest.raises(NotEligible) as error:
        certificate_issue(event=event, enrollment_no=stranger.pk, kind="merit", title="Winner")
    assert error.value.details["reason"] == "not_confirmed"


def test_volunteers_and_organizers_need_no_registration(event):
    helper = StudentFactory()

    volunteer, _ = certificate_issue(event=event, enrollment_no=helper.pk, kind="volunteer")
    organizer, _ = certificate_issue(event=event, enrollment_no=helper.pk, kind="organizer", title="Logistics lead")

    assert volunteer.registration is None and volunteer.heading == "Certificate of Appreciation (Volunteer)"
    assert organizer.heading == "Certificate of Appreciation (Organizer): Logistics lead"
    with pytest.raises(NotFound):
        certificate_issue(event=event, enrollment_no="22CSE99999", kind="volunteer")
    with pytest.raises(ValidationFailed) as error:
        certificate_issue(event=event, enrollment_no=helper.pk, kind="sponsor")
    assert list(error.value.details) == ["kind"]


def test_revocation_is_per_kind_and_a_cancellation_revokes_only_what_taking_part_earned(event):
    student = registered(event, "day-1", "day-2")
    participation, _ = certificate_issue(event=event, enrollment_no=student.pk)
    merit, _ = certificate_issue(event=event, enrollment_no=student.pk, kind="merit", title="Winner")
    volunteer, _ = certificate_issue(event=event, enrollment_no=student.pk, kind="volunteer")

    certificate_revoke(event=event, enrollment_no=student.pk, kind="merit", reason="Judging error")
    assert [c.is_revoked for c in Certificate.objects.filter(pk__in=[participation.pk, merit.pk])] == [False, True]

    registration_cancel(event=event, enrollment_no=student.pk)
    revoked = dict(Certificate.objects.filter(event=event).values_list("kind", "revoked_at"))
    assert revoked["participation"] is not None and revoked["volunteer"] is None


def test_the_pdf_and_the_verification_page_show_the_kind_and_title(client, event):
    winner = registered(event, "day-1")
    merit, _ = certificate_issue(event=event, enrollment_no=winner.pk, kind="merit", title="Winner")

    text = PdfReader(io.BytesIO(certificate_pdf(merit))).pages[0].extract_text()
    page = client.get(reverse("certificate-verify", args=[merit.pk])).content.decode()

    assert "Certificate of Merit" in text and "Winner" in text and "is recognised for distinction at" in text
    assert "Certificate of Merit: Winner" in page and winner.full_name in page


# The API


def test_the_api_issues_a_kind_with_a_title_and_verification_shows_them(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    winner = registered(event)
    client = client_for(organizer)

    response = client.post(
        f"/api/v2/certificate/issue/{event.pk}",
        {"enrollment_no": winner.pk, "kind": "merit", "title": "Winner"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["title"]) == ("merit", "Winner")
    shown = client_for().get(f"/api/v2/certificates/{body['certificate_id']}/verify").json()
    assert (shown["kind"], shown["title"], shown["heading"]) == ("merit", "Winner", "Certificate of Merit: Winner")
    refused = client.post(f"/api/v2/certificate/issue/{event.pk}", {"enrollment_no": winner.pk, "kind": "merit"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(refused.json()["error"]["details"]) == ["title"]


def test_bulk_issue_of_one_kind_to_named_students(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    volunteers = StudentFactory.create_batch(3)
    already = certificate_issue(event=event, enrollment_no=volunteers[0].pk, kind="volunteer")[0]
    certificate_revoke(event=event, enrollment_no=volunteers[0].pk, kind="volunteer", reason="Never came")
    names = [v.pk.lower() for v in volunteers] + ["22CSE99999"]

    response = client_for(organizer).post(
        f"/api/v2/certificate/issue/{event.pk}",
        {"enrollment_nos": names, "kind": "volunteer", "title": "Registration desk"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body["issued"]) == {volunteers[1].pk, volunteers[2].pk}
    assert body["skipped"] == {volunteers[0].pk: "CERTIFICATE_REVOKED", "22CSE99999": "NOT_FOUND"}
    issued = Certificate.objects.filter(pk__in=body["issued"].values())
    assert {(c.kind, c.title) for c in issued} == {("volunteer", "Registration desk")}
    assert already.pk not in body["issued"].values()


def test_bulk_merit_skips_those_without_a_confirmed_registration(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    finalist, outsider = registered(event), StudentFactory()

    body = (
        client_for(organizer)
        .post(
            f"/api/v2/certificate/issue/{event.pk}",
            {"enrollment_nos": [finalist.pk, outsider.pk], "kind": "merit", "title": "Finalist"},
            format="json",
        )
        .json()
    )

    assert list(body["issued"]) == [finalist.pk]
    assert body["skipped"] == {outsider.pk: "NOT_ELIGIBLE"}


def test_all_eligible_is_for_participation_only(client_for, organizer):
    event = EventFactory(organizers=[organizer])
    response = client_for(organizer).post(
        f"/api/v2/certificate/issue/{event.pk}", {"all_eligible": True, "kind": "volunteer"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["kind"]


# The migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_certificates_as_participation():
    # Made first: going back to 0002 also takes back the event's template column, which needs 0005.
    event = EventFactory()
    student = registered(event)
    executor = MigrationExecutor(connection)
    before = [("certificates", "0002_drop_redundant_indexes")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("certificates", "Certificate").objects.create(
        certificate_id="COLDROW000000001", event_id=event.pk, student_id=student.pk, issued_at=event.starts_at
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    kept = Certificate.objects.get(pk="COLDROW000000001")
    assert (kept.kind, kept.title) == ("participation", "")


# The student's pages and history


def test_the_student_sees_where_they_stand_and_downloads_every_kind(client, login, client_for):
    event = EventFactory(title="HackFest", sessions=["day-1", "day-2"], min_sessions_for_certificate=2)
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)
    day_one = event.sessions.get(code="day-1")
    attendance_mark(event=event, enrollment_no=student.pk, session="day-1", at=day_one.starts_at)

    page = login(student.user).get(reverse("my-events")).content.decode()
    assert "You attended 1 of the 2 sessions needed." in page
    assert "Attend at least 2 sessions" in page

    merit, _ = certificate_issue(event=event, enrollment_no=student.pk, kind="merit", title="Winner")
    volunteer, _ = certificate_issue(event=event, enrollment_no=student.pk, kind="volunteer")
    page = client.get(reverse("my-events")).content.decode()
    history = client_for(student).get(f"/api/v2/students/{student.pk}/history").json()

    assert "Download Certificate of Merit: Winner (PDF)" in page
    assert reverse("certificate-pdf", args=[volunteer.pk]) in page
    (entry,) = history["events"]
    assert entry["certificate_id"] is None  # no participation certificate: 1 of 2 sessions
    assert [(c["certificate_id"], c["kind"], c["title"]) for c in entry["certificates"]] == [
        (merit.pk, "merit", "Winner"),
        (volunteer.pk, "volunteer", ""),
    ]
    assert client.get(reverse("certificate-pdf", args=[merit.pk])).status_code == 200


def test_the_organizer_page_issues_one_kind_to_a_list(client, login, organizer):
    event = EventFactory(organizers=[organizer])
    finalists = [registered(event), registered(event)]
    login(organizer)
    url = reverse("event-certificates", args=[event.pk])

    refused = client.post(
        url, {"action": "many", "bulk-enrollment_nos": finalists[0].pk, "bulk-kind": "merit", "bulk-title": ""}
    )
    response = client.post(
        url,
        {
            "action": "many",
            "bulk-enrollment_nos": f"{finalists[0].pk}, {finalists[1].pk.lower()}\n22CSE99999",
            "bulk-kind": "merit",
            "bulk-title": "Finalist",
        },
        follow=True,
    )

    assert refused.status_code == 400 and "needs a title" in refused.content.decode()
    assert response.status_code == 200
    assert "2 new certificates issued" in response.content.decode()
    assert "22CSE99999 (NOT_FOUND)" in response.content.decode()
    assert set(Certificate.objects.filter(event=event, kind="merit").values_list("title", flat=True)) == {"Finalist"}
