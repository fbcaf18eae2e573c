import io
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate, CertificateTemplate
from certificates.pdf import certificate_pdf
from clubs.models import ClubMembership
from events.models import Event, EventAuditEntry, EventQuestion
from events.selectors import event_list_published, event_user_is_organizer
from registrations.audience import audience_refusal
from registrations.integrity import integrity_problems
from registrations.models import (
    AccessCode,
    Attendance,
    Feedback,
    FeedbackAnswer,
    Registration,
    RegistrationAnswer,
    Student,
    Team,
)
from registrations.selectors import team_invitations_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development_settings(settings):
    """seed_demo runs on development installs only (the test runner turns DEBUG off)."""
    settings.DEBUG = True


LOGINS = [
    ("admin", "admin-demo-2026"),
    ("organizer", "organizer-demo-2026"),
    ("22CSE30001", "student-demo-2026"),
    ("22ECE30107", "student-demo-2026"),
]


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    return {
        "users": sorted(User.objects.values_list("username", "is_staff", "is_superuser")),
        "students": list(Student.objects.values()),
        "events": list(Event.objects.order_by("pk").values()),
        "registrations": list(Registration.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("pk").values()),
        "attendances": list(Attendance.objects.order_by("pk").values()),
        "feedback": list(Feedback.objects.order_by("pk").values()),
        "certificates": list(Certificate.objects.order_by("pk").values()),
    }


def test_seed_demo_twice_neither_duplicates_nor_changes_anything():
    first_output = _seed()
    first = _snapshot()

    second_output = _seed()

    assert _snapshot() == first
    assert "Created demo-ai-workshop." in first_output
    assert "Kept demo-ai-workshop" in second_output
    assert "No integrity problems in 10 event(s)." in second_output


def test_seed_demo_emails_no_one(mailoutbox):
    _seed()

    assert mailoutbox == []


def test_seed_demo_builds_past_open_and_upcoming_events_individual_and_team():
    _seed()

    assert {event.pk for event in event_list_published(status="past")} == {"demo-ai-workshop", "demo-codefest"}
    assert {event.pk for event in event_list_published(status="open")} == {
        "demo-robotics-talk",
        "demo-hackathon",
        "demo-git-workshop",
        "demo-research-talk",
        "demo-vlsi-lab",
        "demo-alumni-evening",
    }
    assert {event.pk for event in event_list_published(status="upcoming")} == {"demo-cultural-fest"}
    assert set(Event.objects.filter(registration_mode="team").values_list("pk", flat=True)) == {
        "demo-codefest",
        "demo-hackathon",
        "demo-ctf-night",
    }
    two_day = Event.objects.annotate(n=Count("sessions")).filter(n=2).values_list("pk", flat=True)
    assert "demo-ai-workshop" in two_day


def test_seed_demo_history_is_consistent_with_the_rules():
    _seed()

    for event in Event.objects.all():
        assert event.confirmed_count == Registration.objects.filter(event=event, status="confirmed").count()
        assert event.capacity is None or event.confirmed_count <= event.capacity
    assert Registration.objects.filter(status="waitlisted").count() >= 3
    assert not Attendance.objects.exclude(registration__status="confirmed").exists()
    assert not Feedback.objects.exclude(registration__status="confirmed").exists()
    for feedback in Feedback.objects.all():
        assert Attendance.objects.filter(event=feedback.event_id, student=feedback.student_id).exists()
    workshop = Event.objects.get(pk="demo-ai-workshop")
    for enrollment_no in workshop.certificates:
        assert len(workshop.attendances[enrollment_no]) == 2
        assert enrollment_no in workshop.feedbacks
    assert Certificate.objects.filter(event=workshop, revoked_at__isnull=False).count() == 1
    answered = FeedbackAnswer.objects.filter(feedback__event=workshop, question__required=True).count()
    assert answered == Feedback.objects.filter(event=workshop).count() > 0
    hackathon = Event.objects.get(pk="demo-hackathon")
    assert set(hackathon.team_registrations["Null Pointers"]) >= {"22CSE30001"}
    forming = Team.objects.get(event=hackathon, name="Byte Club")
    assert forming.status == "forming" and "Byte Club" not in hackathon.team_registrations
    assert [m.team_id for m in team_invitations_of(Student.objects.get(pk="22ECE30107"))] == [forming.pk]
    assert integrity_problems([hackathon.pk]) == []


def test_seed_demo_gives_each_demo_student_a_record_to_look_at():
    _seed()

    workshop, robotics = Event.objects.get(pk="demo-ai-workshop"), Event.objects.get(pk="demo-robotics-talk")
    assert "22CSE30001" in workshop.certificates
    assert "22CSE30001" in robotics.registrations
    assert "22ECE30107" in robotics.waitlist
    assert len(workshop.attendances["22ECE30107"]) == 1
    assert "22ECE30107" not in workshop.certificates
    assert Team.objects.get(event="demo-hackathon", name="Null Pointers").leader_id == "22CSE30001"
    assert "22ECE30107" in Event.objects.get(pk="demo-codefest").certificates


def test_seed_demo_logins_work_and_each_has_its_role(client):
    output = _seed()
    _seed()

    for username, password in LOGINS:
        assert username in output and password in output
        assert client.login(username=username, password=password), username
    staff = User.objects.get(username="admin")
    organizer = User.objects.get(username="organizer")
    assert staff.is_staff and staff.is_superuser
    assert not organizer.is_staff
    assert set(organizer.organized_events.values_list("pk", flat=True)) == {
        "demo-ai-workshop",
        "demo-robotics-talk",
        "demo-hackathon",
    }
    assert set(Student.objects.filter(user__isnull=False).values_list("pk", "user__username")) == {
        ("22CSE30001", "22CSE30001"),
        ("22ECE30107", "22ECE30107"),
    }


def test_the_demo_staff_login_opens_the_admin(client):
    _seed()

    client.post(reverse("admin:login"), {"username": "admin", "password": "admin-demo-2026", "next": "/admin/"})
    response = client.get(reverse("admin:events_event_changelist"))

    assert response.status_code == 200
    assert "Applied AI Workshop" in response.content.decode()


def test_seed_demo_reset_rebuilds_the_events_with_the_same_shape():
    _seed()
    before = {kind: len(rows) for kind, rows in _snapshot().items()}
    old_ids = set(Registration.objects.values_list("pk", flat=True))

    output = _seed("--reset")

    assert "Removed the demo events" in output
    assert {kind: len(rows) for kind, rows in _snapshot().items()} == before
    assert not old_ids & set(Registration.objects.values_list("pk", flat=True))


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG on"):
        _seed()

    assert not User.objects.filter(username="admin").exists()


def test_seed_demo_has_a_club_run_by_a_student_with_a_published_event_and_a_draft():
    _seed()
    roles = dict(ClubMembership.objects.filter(club_id="demo-coding-club").values_list("user__username", "role"))
    assert roles == {"organizer": "owner", "22CSE30001": "organizer"}
    workshop, draft = Event.objects.get(pk="demo-git-workshop"), Event.objects.get(pk="demo-ctf-night")
    assert (workshop.status, workshop.club_id, draft.status) == ("published", "demo-coding-club", "draft")
    assert list(
        EventAuditEntry.objects.filter(event=workshop).order_by("at", "id").values_list("actor_name", "action")
    ) == [("22CSE30001", "created"), ("22CSE30001", "published")]
    assert event_user_is_organizer(draft, User.objects.get(username="22CSE30001"))
    assert "demo-ctf-night" not in event_list_published().values_list("pk", flat=True)


def test_seed_demo_shows_who_may_register_approval_a_department_and_an_invitation():
    output = _seed()

    research = Event.objects.get(pk="demo-research-talk")
    statuses = dict(Registration.objects.filter(event=research).values_list("student_id", "status"))
    assert research.approval_required and statuses["22ECE30107"] == "pending"
    assert sorted(statuses.values()) == ["confirmed", "confirmed", "pending", "pending", "pending", "rejected"]
    assert research.club_id == "demo-coding-club"
    vlsi = Event.objects.get(pk="demo-vlsi-lab")
    assert vlsi.eligible_departments == ["ECE"]
    assert audience_refusal(vlsi, Student.objects.get(pk="22CSE30001")) is not None
    assert audience_refusal(vlsi, Student.objects.get(pk="22ECE30107")) is None
    codes = AccessCode.objects.filter(event="demo-alumni-evening")
    assert Event.objects.get(pk="demo-alumni-evening").access_code_required and codes.count() == 5
    assert all(code.code in output for code in codes)


def test_seed_demo_draws_the_workshop_certificates_with_the_college_template():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    template = CertificateTemplate.objects.get()
    workshop = Event.objects.get(pk="demo-ai-workshop")
    certificate = Certificate.objects.filter(event=workshop, revoked_at__isnull=True).first()
    text = PdfReader(io.BytesIO(certificate_pdf(certificate))).pages[0].extract_text()

    assert workshop.certificate_template == template
    assert "Demo College of Engineering" in text and "Dr. Kavita Menon" in text


def test_seed_demo_club_event_asks_questions_that_some_registrants_answered(client):
    _seed()
    workshop = Event.objects.get(pk="demo-git-workshop")
    assert list(EventQuestion.objects.filter(event=workshop).values_list("code", "required")) == [
        ("git-level", True),
        ("laptop", False),
    ]
    answered = RegistrationAnswer.objects.filter(registration__event=workshop)
    assert answered.values("registration").distinct().count() == 6
    assert set(answered.filter(question__code="git-level").values_list("value", flat=True)) == {
        "Never used it",
        "Commit and push",
        "Branches and merges",
    }
    client.force_login(User.objects.get(username="22CSE30001"))
    roster = client.get("/events/demo-git-workshop/manage/roster/").content.decode()
    assert "How well do you know Git?" in roster and "Branches and merges" in roster
