import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_issue_all_eligible
from events.attendance_rules import rule_of
from events.models import Event
from registrations.models import Attendance, Feedback, Notification, Registration, Student, Team
from registrations.services import attendance_mark, feedback_submit, registration_create, team_register
from registrations.teams import team_create
from tests.factories import (
    EventFactory,
    FeedbackQuestionFactory,
    StudentFactory,
    StudentUserFactory,
    TeamEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:events_event_changelist",
    "admin:registrations_student_changelist",
    "admin:registrations_registration_changelist",
    "admin:registrations_team_changelist",
    "admin:registrations_attendance_changelist",
    "admin:registrations_feedback_changelist",
    "admin:certificates_certificate_changelist",
    "admin:registrations_notification_changelist",
]


def _event_activity(students: int, teams: int) -> tuple[Event, Event]:
    """An individual event whose students registered, attended, gave feedback and hold certificates; a team event."""
    event = EventFactory()
    for student in StudentFactory.create_batch(students):
        registration_create(event=event, enrollment_no=student.pk)
        attendance_mark(event=event, enrollment_no=student.pk)
        feedback_submit(event=event, enrollment_no=student.pk, rating=5, comments="Useful.")
    certificate_issue_all_eligible(event=event)
    team_event = TeamEventFactory()
    for number in range(teams):
        leader, member = StudentFactory.create_batch(2)
        team_register(event=team_event, team_name=f"Team {number}", leader=leader.pk, members=[member.pk])
    return event, team_event


def _changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_changelist_renders_rows_with_a_query_count_that_does_not_grow_with_them(admin_client, url_name):
    url = reverse(url_name)
    _event_activity(students=2, teams=1)
    few = _changelist_queries(admin_client, url)
    _event_activity(students=8, teams=4)
    many = _changelist_queries(admin_client, url)

    assert many == few
    assert few <= 12


def test_event_changelist_counts_each_kind_of_record(admin_client):
    event, team_event = _event_activity(students=3, teams=2)
    Certificate.objects.filter(event=event).order_by("pk").first().delete()

    response = admin_client.get(reverse("admin:events_event_changelist"), {"o": "1"})

    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert (rows[event.pk].n_registered, rows[event.pk].attended_count, rows[event.pk].feedbacks_count) == (3, 3, 3)
    assert rows[event.pk].certificates_count == 2
    assert (rows[team_event.pk].n_registered, rows[team_event.pk].teams_count) == (4, 2)


def test_event_change_page_shows_the_six_maps(admin_client):
    event, _ = _event_activity(students=2, teams=0)
    enrollment_no = next(iter(event.registrations))

    response = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))

    body = response.content.decode().lower()
    assert response.status_code == 200
    for label in ("registrations {", "waitlist {", "team_registrations {", "attendances {", "feedbacks {"):
        assert label in body
    registration_id, certificate_id = event.registrations[enrollment_no], event.certificates[enrollment_no]
    assert f"&quot;{enrollment_no}&quot;: &quot;{registration_id}&quot;".lower() in body
    assert certificate_id.lower() in body


def test_student_search_finds_by_enrollment_number_name_and_email(admin_client):
    asha = StudentFactory(enrollment_no="22CSE30001", full_name="Asha Verma", email="asha.v@college.example")
    StudentFactory(enrollment_no="22ECE30107", full_name="Ravi Kumar", email="ravi.k@college.example")
    url = reverse("admin:registrations_student_changelist")

    for query in ("22cse30001", "Verma", "asha.v@"):
        found = list(admin_client.get(url, {"q": query}).context["cl"].result_list)
        assert found == [asha]


def test_registration_search_finds_by_enrollment_number_and_student_name(admin_client, event):
    asha = StudentFactory(full_name="Asha Verma")
    StudentFactory(full_name="Ravi Kumar")
    mine = registration_create(event=event, enrollment_no=asha.pk)
    url = reverse("admin:registrations_registration_changelist")

    assert list(admin_client.get(url, {"q": asha.pk}).context["cl"].result_list) == [mine]
    assert list(admin_client.get(url, {"q": "verma"}).context["cl"].result_list) == [mine]
    assert list(admin_client.get(url, {"q": mine.registration_id}).context["cl"].result_list) == [mine]


def test_registration_filter_by_status_lists_only_that_status(admin_client):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    first, second = StudentFactory.create_batch(2)
    registration_create(event=event, enrollment_no=first.pk)
    waiting = registration_create(event=event, enrollment_no=second.pk)

    response = admin_client.get(reverse("admin:registrations_registration_changelist"), {"status__exact": "waitlisted"})

    assert list(response.context["cl"].result_list) == [waiting]


def test_adding_a_registration_in_the_admin_goes_through_the_service(admin_client, event):
    student = StudentFactory()

    response = admin_client.post(
        reverse("admin:registrations_registration_add"), {"event": event.pk, "student": student.pk}
    )

    registration = Registration.objects.get(event=event, student=student)
    assert response.status_code == 302
    assert registration.status == "confirmed"
    assert registration.checkin_code
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_adding_a_registration_to_a_full_event_shows_event_full_as_a_form_error(admin_client):
    event = EventFactory(capacity=1)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    late = StudentFactory()

    response = admin_client.post(
        reverse("admin:registrations_registration_add"), {"event": event.pk, "student": late.pk}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("EVENT_FULL" in error for error in errors)
    assert not Registration.objects.filter(student=late).exists()
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_adding_a_registration_to_a_full_event_with_a_waitlist_waitlists_the_student(admin_client):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    late = StudentFactory()

    admin_client.post(reverse("admin:registrations_registration_add"), {"event": event.pk, "student": late.pk})

    assert Registration.objects.get(student=late).status == "waitlisted"
    assert list(event.waitlist) == [late.pk]


def test_adding_the_same_registration_twice_shows_already_registered(admin_client, event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)

    response = admin_client.post(
        reverse("admin:registrations_registration_add"), {"event": event.pk, "student": student.pk}
    )

    assert "ALREADY_REGISTERED" in response.content.decode()
    assert Registration.objects.filter(student=student).count() == 1


def test_registrations_are_read_only_and_cannot_be_deleted_in_the_admin(admin_client, event):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)

    change = admin_client.post(
        reverse("admin:registrations_registration_change", args=[registration.pk]), {"status": "cancelled"}
    )
    delete = admin_client.post(
        reverse("admin:registrations_registration_delete", args=[registration.pk]), {"post": "yes"}
    )

    assert (change.status_code, delete.status_code) == (403, 403)
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_cancel_action_cancels_through_the_service_and_promotes_the_waitlist(admin_client):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    first, second = StudentFactory.create_batch(2)
    confirmed = registration_create(event=event, enrollment_no=first.pk)
    waiting = registration_create(event=event, enrollment_no=second.pk)

    response = admin_client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [confirmed.pk]},
        follow=True,
    )

    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert (confirmed.status, waiting.status) == ("cancelled", "confirmed")
    assert "1 registration cancelled, 1 promoted" in response.content.decode()
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_send_again_action_sends_a_given_up_email_again(
    admin_client, event, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SENDER = "worker"
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    Notification.objects.update(state=Notification.State.FAILED, attempts=8, last_error="550 mailbox unavailable")
    settings.NOTIFICATIONS_SENDER = "request"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:registrations_notification_changelist"),
            {"action": "send_again", "_selected_action": list(Notification.objects.values_list("pk", flat=True))},
            follow=True,
        )

    assert "1 email queued" in response.content.decode()
    assert [m.to for m in mailoutbox] == [[student.email]]
    assert Notification.objects.get().state == Notification.State.SENT


def test_issue_all_eligible_action_creates_the_certificates(admin_client, event):
    attended, absent = StudentFactory.create_batch(2)
    registration_create(event=event, enrollment_no=attended.pk)
    registration_create(event=event, enrollment_no=absent.pk)
    attendance_mark(event=event, enrollment_no=attended.pk)

    response = admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "issue_certificates", "_selected_action": [event.pk]},
        follow=True,
    )

    assert list(Certificate.objects.filter(event=event).values_list("student_id", flat=True)) == [attended.pk]
    assert "1 issued, 0 already held, 1 skipped" in response.content.decode()


def test_export_csv_streams_the_selected_rows(admin_client):
    chosen = StudentFactory(full_name="Asha Verma", phone="+91 98765 43210")
    StudentFactory()
    formula = StudentFactory(full_name="=HYPERLINK(1)")

    response = admin_client.post(
        reverse("admin:registrations_student_changelist"),
        {"action": "export_as_csv", "_selected_action": [chosen.pk, formula.pk]},
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["enrollment_no"] for row in rows] == sorted([chosen.pk, formula.pk])
    by_enrollment = {row["enrollment_no"]: row for row in rows}
    assert by_enrollment[chosen.pk]["full_name"] == "Asha Verma"
    assert by_enrollment[chosen.pk]["phone"] == "+91 98765 43210"
    assert by_enrollment[formula.pk]["full_name"] == "'=HYPERLINK(1)"


def test_export_csv_of_registrations_names_the_student_column_by_enrollment_number(admin_client, event):
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)

    response = admin_client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "export_as_csv", "_selected_action": [registration.pk]},
    )

    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert (row["registration_id"], row["enrollment_no"], row["event_id"], row["status"]) == (
        registration.pk,
        registration.student_id,
        event.pk,
        "confirmed",
    )


def test_adding_an_event_with_two_sessions_and_an_organizer_goes_through_the_service(admin_client):
    organizer = UserFactory(username="ravi")
    day_one = timezone.localtime() + timedelta(days=10)
    response = admin_client.post(
        reverse("admin:events_event_add"),
        {
            "event_id": "robotics-2026",
            "title": "Robotics Weekend",
            "status": "published",
            "starts_at_0": day_one.strftime("%Y-%m-%d"),
            "starts_at_1": "09:00:00",
            "ends_at_0": (day_one + timedelta(days=1)).strftime("%Y-%m-%d"),
            "ends_at_1": "17:00:00",
            "registration_mode": "individual",
            "capacity": "40",
            "team_size_min": "1",
            "team_size_max": "1",
            "min_sessions_for_certificate": "2",
            "organizers": [organizer.pk],
            "sessions-TOTAL_FORMS": "2",
            "sessions-INITIAL_FORMS": "0",
            "feedback_questions-TOTAL_FORMS": "0",
            "feedback_questions-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "sessions-0-code": "day-1",
            "sessions-0-title": "Day 1",
            "sessions-1-code": "day-2",
            "sessions-1-title": "Day 2",
        },
    )

    assert response.status_code == 302
    event = Event.objects.get(pk="robotics-2026")
    assert [(s.code, s.position) for s in event.sessions.all()] == [("day-1", 0), ("day-2", 1)]
    assert list(event.organizers.all()) == [organizer]


def test_event_change_refused_by_the_service_shows_the_field_error(admin_client, event):
    url = reverse("admin:events_event_change", args=[event.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name not in ("organizers",)}
    data.update(
        {
            "starts_at_0": timezone.localtime(event.starts_at).strftime("%Y-%m-%d"),
            "starts_at_1": timezone.localtime(event.starts_at).strftime("%H:%M:%S"),
            "ends_at_0": timezone.localtime(event.ends_at).strftime("%Y-%m-%d"),
            "ends_at_1": timezone.localtime(event.ends_at).strftime("%H:%M:%S"),
            "team_size_max": "3",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
            "feedback_questions-TOTAL_FORMS": "0",
            "feedback_questions-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        }
    )
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data.pop(name, None)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "An individual event has no team sizes" in str(response.context["adminform"].form.errors)
    event.refresh_from_db()
    assert event.team_size_max == 1


def test_adding_a_team_in_the_admin_registers_it_through_the_service(admin_client, team_event):
    leader, member = StudentFactory.create_batch(2)

    response = admin_client.post(
        reverse("admin:registrations_team_add"),
        {"event": team_event.pk, "name": "Byte Club", "leader": leader.pk, "members": f"{member.pk.lower()}, "},
    )

    assert response.status_code == 302
    team = Team.objects.get(event=team_event)
    assert set(team.registrations.values_list("student_id", flat=True)) == {leader.pk, member.pk}
    assert set(team_event.team_registrations["byte club"]) == {leader.pk, member.pk}


def test_a_forming_team_shows_its_invitations_and_is_cancelled_by_the_admin_action(admin_client, team_event):
    leader, invited = StudentUserFactory.create_batch(2)
    team = team_create(event=team_event, team_name="Forming", invite=[invited.pk], actor=leader.user)

    page = admin_client.get(reverse("admin:registrations_team_change", args=[team.pk])).content.decode()
    response = admin_client.post(
        reverse("admin:registrations_team_changelist"), {"action": "cancel_teams", "_selected_action": [team.pk]}
    )

    assert "invitations and memberships" in page.lower() and invited.pk in page
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.status == "cancelled"
    assert set(team.memberships.values_list("state", flat=True)) == {"left", "declined"}


def test_adding_a_team_too_small_shows_team_size(admin_client, team_event):
    leader = StudentFactory()

    response = admin_client.post(
        reverse("admin:registrations_team_add"), {"event": team_event.pk, "name": "Solo", "leader": leader.pk}
    )

    assert "TEAM_SIZE" in response.content.decode()
    assert not Team.objects.exists()


def test_adding_attendance_in_the_admin_marks_through_the_service(admin_client, event, staff_user):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    session = event.sessions.get()

    response = admin_client.post(
        reverse("admin:registrations_attendance_add"), {"event": event.pk, "student": student.pk, "session": session.pk}
    )

    assert response.status_code == 302
    attendance = Attendance.objects.get(student=student)
    assert (attendance.session, attendance.marked_by.username) == (session, "admin")
    assert list(event.attendances) == [student.pk]


def test_adding_attendance_for_an_unregistered_student_shows_not_registered(admin_client, event):
    student = StudentFactory()

    response = admin_client.post(
        reverse("admin:registrations_attendance_add"), {"event": event.pk, "student": student.pk}
    )

    assert "NOT_REGISTERED" in response.content.decode()
    assert not Attendance.objects.exists()


def test_adding_feedback_before_attending_shows_not_attended(admin_client, event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)

    response = admin_client.post(
        reverse("admin:registrations_feedback_add"), {"event": event.pk, "student": student.pk, "rating": "4"}
    )

    assert "NOT_ATTENDED" in response.content.decode()
    assert not Feedback.objects.exists()


def test_adding_feedback_with_a_rating_out_of_range_shows_the_rating_error(admin_client, event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)

    response = admin_client.post(
        reverse("admin:registrations_feedback_add"), {"event": event.pk, "student": student.pk, "rating": "9"}
    )

    assert response.context["adminform"].form.errors["rating"] == ["Ensure this value is less than or equal to 5."]
    assert not Feedback.objects.exists()


def test_adding_a_certificate_for_an_ineligible_student_shows_not_eligible(admin_client, event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)

    response = admin_client.post(
        reverse("admin:certificates_certificate_add"), {"event": event.pk, "student": student.pk}
    )

    assert "NOT_ELIGIBLE" in response.content.decode()
    assert not Certificate.objects.exists()


def test_revoking_a_certificate_in_its_change_form_goes_through_the_service(admin_client, event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    response = admin_client.post(
        reverse("admin:certificates_certificate_change", args=[certificate.pk]), {"revoke_reason": "Proxy attendance"}
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_reason, certificate.revoked_by.username) == (
        "revoked",
        "Proxy attendance",
        "admin",
    )
    assert student.pk not in event.certificates


def test_adding_a_student_normalizes_the_enrollment_number_through_the_service(admin_client):
    response = admin_client.post(
        reverse("admin:registrations_student_add"),
        {"enrollment_no": " 22cse30001 ", "full_name": "  Asha   Verma ", "email": "Asha@College.example", "year": 2},
    )

    assert response.status_code == 302
    student = Student.objects.get()
    assert (student.enrollment_no, student.full_name, student.email) == (
        "22CSE30001",
        "Asha Verma",
        "asha@college.example",
    )


def test_adding_a_student_whose_enrollment_number_exists_in_another_case_is_refused(admin_client):
    StudentFactory(enrollment_no="22CSE30001", full_name="Asha Verma")

    response = admin_client.post(
        reverse("admin:registrations_student_add"), {"enrollment_no": "22cse30001", "full_name": "Someone Else"}
    )

    assert "already exists" in str(response.context["adminform"].form.errors["enrollment_no"])
    assert Student.objects.get().full_name == "Asha Verma"


def test_changing_a_student_to_an_email_another_student_has_shows_the_error(admin_client):
    StudentFactory(enrollment_no="22CSE30001", email="taken@college.example")
    student = StudentFactory()

    response = admin_client.post(
        reverse("admin:registrations_student_change", args=[student.pk]),
        {"full_name": student.full_name, "email": "TAKEN@college.example"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == ["Student 22CSE30001 already has this email."]
    student.refresh_from_db()
    assert student.email != "taken@college.example"


def test_a_user_who_is_not_staff_cannot_open_the_admin(client):
    user = UserFactory(username="organizer-only")
    client.force_login(user)

    response = client.get(reverse("admin:events_event_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def _eligible_certificates(event, count: int) -> list[Certificate]:
    certificates = []
    for student in StudentFactory.create_batch(count):
        registration_create(event=event, enrollment_no=student.pk)
        attendance_mark(event=event, enrollment_no=student.pk)
        certificates.append(certificate_issue(event=event, enrollment_no=student.pk)[0])
    return certificates


def test_revoke_action_asks_for_a_reason_before_revoking(admin_client, event):
    certificates = _eligible_certificates(event, 2)
    url = reverse("admin:certificates_certificate_changelist")
    selected = [certificate.pk for certificate in certificates]

    confirmation = admin_client.post(url, {"action": "revoke_certificates", "_selected_action": selected})
    without_reason = admin_client.post(
        url, {"action": "revoke_certificates", "_selected_action": selected, "apply": "1", "reason": " "}
    )

    assert confirmation.status_code == 200
    assert all(pk in confirmation.content.decode() for pk in selected)
    assert without_reason.context["form"].errors["reason"]
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


def test_revoke_action_revokes_each_selected_certificate_through_the_service(admin_client, event):
    certificates = _eligible_certificates(event, 3)

    response = admin_client.post(
        reverse("admin:certificates_certificate_changelist"),
        {
            "action": "revoke_certificates",
            "_selected_action": [certificates[0].pk, certificates[1].pk],
            "apply": "1",
            "reason": "Plagiarised project",
        },
        follow=True,
    )

    assert "2 certificates revoked." in response.content.decode()
    revoked = Certificate.objects.filter(revoked_at__isnull=False)
    assert set(revoked.values_list("pk", "revoked_reason")) == {
        (certificates[0].pk, "Plagiarised project"),
        (certificates[1].pk, "Plagiarised project"),
    }
    assert list(event.certificates) == [certificates[2].student_id]


def test_cancel_events_action_cancels_through_the_service(admin_client, event):
    response = admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "cancel_events", "_selected_action": [event.pk]},
        follow=True,
    )

    event.refresh_from_db()
    assert event.status == "cancelled"
    assert "1 event cancelled." in response.content.decode()


def test_events_cannot_be_deleted_in_the_admin(admin_client, event):
    response = admin_client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_adding_feedback_without_a_required_answer_names_the_question(admin_client, event):
    question = FeedbackQuestionFactory(event=event, prompt="Was the venue easy to find?", required=True)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)

    response = admin_client.post(
        reverse("admin:registrations_feedback_add"), {"event": event.pk, "student": student.pk, "rating": "4"}
    )

    (error,) = response.context["adminform"].form.non_field_errors()
    assert "VALIDATION_ERROR" in error
    assert str(question.pk) in error
    assert not Feedback.objects.exists()


def test_the_organizer_chooser_leaves_out_student_logins(admin_client, organizer):
    student = StudentUserFactory()

    response = admin_client.get(reverse("admin:events_event_add"))

    choices = set(response.context["adminform"].form.fields["organizers"].queryset)
    assert organizer in choices
    assert student.user not in choices


def test_the_outbox_is_read_only_in_the_admin(admin_client, event):
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    notification = Notification.objects.get()

    page = admin_client.get(reverse("admin:registrations_notification_change", args=[notification.pk]))
    posted = admin_client.post(
        reverse("admin:registrations_notification_change", args=[notification.pk]), {"state": "failed"}
    )

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    notification.refresh_from_db()
    assert notification.state != Notification.State.FAILED
    assert admin_client.get(reverse("admin:registrations_notification_add")).status_code == 403


def test_the_attendance_rule_is_set_in_the_event_admin_with_mandatory_sessions_ticked(admin_client):
    day_one = timezone.localtime() + timedelta(days=10)
    response = admin_client.post(
        reverse("admin:events_event_add"),
        {
            "event_id": "summit-2026",
            "title": "Summit",
            "status": "published",
            "starts_at_0": day_one.strftime("%Y-%m-%d"),
            "starts_at_1": "09:00:00",
            "ends_at_0": (day_one + timedelta(days=2)).strftime("%Y-%m-%d"),
            "ends_at_1": "17:00:00",
            "registration_mode": "individual",
            "team_size_min": "1",
            "team_size_max": "1",
            "attendance_rule_kind": "mandatory",
            "min_sessions_for_certificate": "2",
            "attendance_percent": "100",
            "sessions-TOTAL_FORMS": "3",
            "sessions-INITIAL_FORMS": "0",
            "feedback_questions-TOTAL_FORMS": "0",
            "feedback_questions-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "sessions-0-code": "day-1",
            "sessions-1-code": "day-2",
            "sessions-2-code": "final",
            "sessions-2-mandatory": "on",
        },
    )

    assert response.status_code == 302
    assert rule_of(Event.objects.get(pk="summit-2026")).as_json() == {
        "kind": "mandatory",
        "sessions": ["final"],
        "min_sessions": 2,
    }
