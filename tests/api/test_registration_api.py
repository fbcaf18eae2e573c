import socket

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token

from certificates.services import certificate_issue
from registrations.models import Attendance, Feedback, FeedbackAnswer, FeedbackQuestion, Registration, Student
from registrations.services import attendance_mark, feedback_submit, registration_create, team_register
from tests.api.helpers import error_of
from tests.factories import EventFactory, PastEventFactory, RegistrationFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db

STUDENT_FIELDS = {"enrollment_no", "full_name", "email", "department", "year", "phone"}


def student_json(student: Student) -> dict:
    return {
        "enrollment_no": student.enrollment_no,
        "full_name": student.full_name,
        "email": student.email,
        "department": student.department,
        "year": student.year,
        "phone": student.phone,
    }


# Logins


def test_a_student_gets_a_token_with_their_enrollment_number_in_any_case(client_for, student):
    response = client_for().post(
        "/api/v2/auth/token/",
        {"username": f" {student.pk.lower()} ", "password": "correct-horse-battery"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "token": Token.objects.get(user=student.user).key,
        "username": student.pk,
        "enrollment_no": student.pk,
        "is_staff": False,
    }


def test_the_token_authenticates_later_requests(client_for, student):
    token = (
        client_for()
        .post("/api/v2/auth/token/", {"username": student.pk, "password": "correct-horse-battery"}, format="json")
        .json()["token"]
    )
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get(f"/api/v2/students/{student.pk}/").status_code == 200


def test_signup_creates_the_student_and_their_login(client_for):
    body = {
        "enrollment_no": "23ece10042",
        "full_name": "Meera  Iyer",
        "email": "Meera@College.example",
        "department": "ece",
        "year": 2,
        "password": "a-long-pass-phrase",
    }

    response = client_for().post("/api/v2/auth/signup/", body, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "enrollment_no": "23ECE10042",
        "full_name": "Meera Iyer",
        "email": "meera@college.example",
        "department": "ECE",
        "year": 2,
        "phone": "",
        "verification_sent": True,
    }
    student = Student.objects.get(pk="23ECE10042")
    assert student.user.username == "23ECE10042"
    assert student.user.check_password("a-long-pass-phrase")


def test_signup_attaches_a_login_to_an_imported_student_with_the_same_email(client_for):
    imported = StudentFactory(enrollment_no="22CSE30001", email="ravi@college.example")
    body = {
        "enrollment_no": "22CSE30001",
        "full_name": imported.full_name,
        "email": "ravi@college.example",
        "password": "a-long-pass-phrase",
    }

    response = client_for().post("/api/v2/auth/signup/", body, format="json")

    assert response.status_code == 201
    imported.refresh_from_db()
    assert imported.user == User.objects.get(username="22CSE30001")


# Students


def test_a_student_reads_their_own_record(client_for, student):
    response = client_for(student).get(f"/api/v2/students/{student.pk.lower()}/")

    assert response.status_code == 200
    assert response.json() == student_json(student)


def test_staff_list_and_search_students(client_for, staff_user):
    wanted = StudentFactory(full_name="Zoya Khan")
    StudentFactory.create_batch(2)

    everyone = client_for(staff_user).get("/api/v2/students/").json()
    found = client_for(staff_user).get("/api/v2/students/?q=zoya").json()

    assert everyone["count"] == 3
    assert set(everyone["results"][0]) == STUDENT_FIELDS
    assert found == {"count": 1, "next": None, "previous": None, "results": [student_json(wanted)]}


def test_history_lists_every_event_of_the_student_latest_first(client_for, student):
    earlier = PastEventFactory(title="Orientation")
    later = EventFactory(title="HackFest")
    old = RegistrationFactory(event=earlier, student=student)
    current = registration_create(event=later, enrollment_no=student.pk)

    response = client_for(student).get(f"/api/v2/students/{student.pk}/history")

    assert response.status_code == 200
    shown = response.json()
    assert shown["student"] == student_json(student)
    assert [entry["event_id"] for entry in shown["events"]] == [later.pk, earlier.pk]
    newest = shown["events"][0]
    assert {
        "event_id",
        "title",
        "starts_at",
        "registration_id",
        "status",
        "team_name",
        "attendance_ids",
        "feedback_id",
        "certificate_id",
    } <= set(newest)
    assert newest["title"] == "HackFest"
    assert newest["registration_id"] == current.registration_id
    assert newest["status"] == "confirmed"
    assert newest["team_name"] is None
    assert newest["attendance_ids"] == []
    assert newest["feedback_id"] is None and newest["certificate_id"] is None
    assert newest["checkin_code"] == current.checkin_code
    assert shown["events"][1]["registration_id"] == old.registration_id


def test_lookup_gives_one_students_whole_record_at_one_event(client_for, organizer, event, student):
    registration = registration_create(event=event, enrollment_no=student.pk)
    attendance, _ = attendance_mark(event=event, enrollment_no=student.pk)
    feedback = feedback_submit(event=event, enrollment_no=student.pk, rating=5)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    response = client_for(organizer).get(f"/api/v2/lookup/enrollment/{student.pk}/event/{event.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "enrollment_no": student.pk,
        "event_id": event.pk,
        "student": student_json(student),
        "registration_id": registration.registration_id,
        "status": "confirmed",
        "team_name": None,
        "checkin_code": registration.checkin_code,
        "attendance_ids": [attendance.attendance_id],
        "feedback_id": feedback.feedback_id,
        "certificate_id": certificate.certificate_id,
        "eligibility": {
            "eligible": True,
            "attended": 1,
            "required": 1,
            "missing": [],
            "message": "You attended 1 of the 1 session needed: you can receive a certificate.",
        },
        "answers": {},
    }


def test_lookup_of_own_record_at_an_event_never_registered_for_is_all_nulls(client_for, event, student):
    shown = client_for(student).get(f"/api/v2/lookup/enrollment/{student.pk}/event/{event.pk}").json()

    assert shown["registration_id"] is None and shown["status"] is None and shown["checkin_code"] is None
    assert shown["attendance_ids"] == [] and shown["feedback_id"] is None and shown["certificate_id"] is None


# Registration


def test_a_student_registers_themself_without_naming_their_enrollment_number(client_for, event, student):
    response = client_for(student).post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    assert response.status_code == 201
    registration = Registration.objects.get(event=event, student=student)
    assert response.json() == {
        "registration_id": registration.registration_id,
        "event_id": event.pk,
        "enrollment_no": student.pk,
        "status": "confirmed",
        "waitlist_position": None,
        "checkin_code": registration.checkin_code,
    }


def test_a_full_event_puts_the_student_on_the_waitlist_with_their_place(client_for, organizer):
    event = EventFactory(capacity=1, waitlist_enabled=True, organizers=[organizer])
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    late = StudentFactory()

    response = client_for(organizer).post(
        f"/api/v2/register/individual/{event.pk}", {"enrollment_no": late.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted"
    assert response.json()["waitlist_position"] == 2
    assert response.json()["checkin_code"] is None


def test_a_student_starts_a_forming_team_that_invites_its_members(client_for, team_event):
    leader = StudentUserFactory()
    members = StudentFactory.create_batch(2)

    response = client_for(leader).post(
        f"/api/v2/register/team/{team_event.pk}",
        {"team_name": "Byte Me", "members": [leader.pk, *(m.pk.lower() for m in members)]},
        format="json",
    )

    assert response.status_code == 201
    shown = response.json()
    assert shown["status"] == "forming"
    assert shown["registrations"] == {}
    assert shown["invitations"] == {m.pk: "pending" for m in members}
    assert len(shown["join_code"]) == 8
    assert dict(team_event.team_registrations) == {}


def test_an_organizer_registers_a_team_whole(client_for, organizer, team_event):
    leader = StudentUserFactory()
    members = StudentFactory.create_batch(2)

    response = client_for(organizer).post(
        f"/api/v2/register/team/{team_event.pk}",
        {"team_name": " Byte  Me ", "leader": leader.pk, "members": [leader.pk, *(m.pk.lower() for m in members)]},
        format="json",
    )

    assert response.status_code == 201
    shown = response.json()
    assert {"team_id", "team_name", "event_id", "status", "registrations"} <= set(shown)
    assert shown["team_name"] == "Byte Me"
    assert shown["event_id"] == team_event.pk
    assert shown["status"] == "confirmed"
    assert shown["leader"] == leader.pk
    assert shown["registrations"] == dict(team_event.team_registrations["Byte Me"])
    assert set(shown["registrations"]) == {leader.pk, *(m.pk for m in members)}


def test_cancel_frees_the_seat_for_the_first_on_the_waitlist(client_for, organizer):
    event = EventFactory(capacity=1, waitlist_enabled=True, organizers=[organizer])
    holder = StudentUserFactory()
    seat = registration_create(event=event, enrollment_no=holder.pk)
    waiting_student = StudentFactory()
    waiting = registration_create(event=event, enrollment_no=waiting_student.pk)

    response = client_for(holder).post(f"/api/v2/register/cancel/{event.pk}", {}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "cancelled": [seat.registration_id],
        "promoted": {waiting_student.pk: waiting.registration_id},
    }
    assert dict(event.registrations) == {waiting_student.pk: waiting.registration_id}


# Attendance and feedback


def test_an_organizer_checks_a_student_in_by_code_and_a_second_scan_returns_the_same(
    client_for, organizer, event, student
):
    registration = registration_create(event=event, enrollment_no=student.pk)
    client = client_for(organizer)

    first = client.post(
        f"/api/v2/attendance/mark/{event.pk}", {"checkin_code": registration.checkin_code.lower()}, format="json"
    )
    again = client.post(f"/api/v2/attendance/mark/{event.pk}", {"enrollment_no": student.pk}, format="json")

    assert first.status_code == 201 and again.status_code == 200
    attendance = Attendance.objects.get(event=event, student=student)
    assert first.json() == {
        "attendance_id": attendance.attendance_id,
        "enrollment_no": student.pk,
        "session": "main",
        "marked_at": timezone.localtime(attendance.marked_at).isoformat(),
        "method": "scan",
        "marked_by": "organizer",
    }
    assert again.json() == first.json()


def test_a_student_gives_feedback_after_attending(client_for, event, student):
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)

    response = client_for(student).post(
        f"/api/v2/feedback/submit/{event.pk}", {"rating": 4, "comments": "Great talks."}, format="json"
    )

    assert response.status_code == 201
    feedback = Feedback.objects.get(event=event, student=student)
    shown = response.json()
    assert {"feedback_id", "enrollment_no", "event_id", "rating"} <= set(shown)
    assert shown["feedback_id"] == feedback.feedback_id
    assert shown["enrollment_no"] == student.pk
    assert shown["event_id"] == event.pk
    assert shown["rating"] == 4
    assert shown["comments"] == "Great talks."


def test_team_register_reports_the_members_already_registered(client_for, organizer, team_event):
    taken = StudentFactory.create_batch(2)
    team_register(event=team_event, team_name="First", leader=taken[0].pk, members=[taken[1].pk])
    newcomer = StudentFactory()

    response = client_for(organizer).post(
        f"/api/v2/register/team/{team_event.pk}",
        {"team_name": "Second", "leader": newcomer.pk, "members": [taken[1].pk]},
        format="json",
    )

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "ALREADY_REGISTERED"
    assert error["details"]["enrollment_nos"] == [taken[1].pk]


def test_feedback_answers_the_events_questions(client_for, event, student):
    stars = FeedbackQuestion.objects.create(event=event, kind="rating", prompt="Speakers?", required=True)
    remarks = FeedbackQuestion.objects.create(event=event, kind="text", prompt="Anything else?")
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    url = f"/api/v2/feedback/submit/{event.pk}"

    missing = client_for(student).post(url, {"rating": 4, "answers": {str(remarks.pk): "More labs"}}, format="json")
    given = client_for(student).post(
        url, {"rating": 4, "answers": {str(stars.pk): 5, str(remarks.pk): "More labs"}}, format="json"
    )

    assert missing.status_code == 400
    assert list(error_of(missing)["details"]) == [f"question_{stars.pk}"]
    assert given.status_code == 201
    answers = FeedbackAnswer.objects.filter(feedback__feedback_id=given.json()["feedback_id"])
    assert {(a.question_id, a.rating, a.text) for a in answers} == {(stars.pk, 5, ""), (remarks.pk, None, "More labs")}


@pytest.mark.django_db(transaction=True)
def test_a_registration_is_confirmed_even_when_the_mail_server_is_down(client_for, settings, event, student):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2

    response = client_for(student).post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    assert response.status_code == 201
    assert Registration.objects.get(event=event, student=student).status == "confirmed"
