"""Issue 12, finding 6: control characters are refused in free text, and stored ones break nothing."""

from io import StringIO

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from eventsite.text import multiline_text, printable, single_line_text
from registrations.models import Student
from registrations.services import registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db

# Everything a title must not hold. NUL is among them: PostgreSQL cannot store it at all, so
# before the validator it was a 500 there.
SINGLE_LINE_REFUSED = ["Hack\r\nFest", "Hack\nFest", "Hack\x00Fest", "Hack\x1b[31mFest", "Hack\u2028Fest", "A\x85B"]
STORABLE_CONTROL_TITLE = "Hack\r\nFest\x0b2026"  # what older rows may hold; no NUL, which PostgreSQL never stored


@pytest.mark.parametrize("value", SINGLE_LINE_REFUSED)
def test_single_line_text_refuses_control_characters(value):
    with pytest.raises(ValidationError) as refused:
        single_line_text(value)

    assert refused.value.code == "control_characters"


@pytest.mark.parametrize("value", ["José Ñúñez-Øberg", "Robotics: 2026 — Day 1 🚀", "Zero\u200bwidth space"])
def test_single_line_text_accepts_ordinary_text(value):
    single_line_text(value)


def test_multiline_text_keeps_line_breaks_and_tabs_but_refuses_other_control_characters():
    multiline_text("Line one\r\nLine two\n\tindented")

    for value in ("bell\x07", "nul\x00", "escape\x1b[2J"):
        with pytest.raises(ValidationError):
            multiline_text(value)


def test_printable_makes_stored_text_safe_for_one_line_and_for_long_text():
    assert printable("Hack\r\nFest\x00!") == "Hack  Fest !"
    assert printable("one\r\ntwo\rthree\u2028four\x07", multiline=True) == "one\ntwo\nthree\nfour "


def _event_body(**changes) -> dict:
    starts = timezone.now() + timezone.timedelta(days=10)
    return {
        "event_id": "ctrl-2026",
        "title": "Control Night",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timezone.timedelta(hours=2)).isoformat(),
        **changes,
    }


@pytest.mark.parametrize("title", SINGLE_LINE_REFUSED)
def test_api_refuses_an_event_title_with_control_characters(client_for, staff_user, title):
    response = client_for(staff_user).post("/api/v2/events/", _event_body(title=title), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert set(error["details"]) == {"title"}
    assert not Event.objects.filter(pk="ctrl-2026").exists()


def test_api_keeps_line_breaks_in_a_description_but_refuses_a_nul(client_for, staff_user):
    client = client_for(staff_user)

    refused = client.post("/api/v2/events/", _event_body(description="Bring\x00a laptop"), format="json")
    accepted = client.post(
        "/api/v2/events/", _event_body(description="Bring:\r\n- a laptop\n\t- a charger"), format="json"
    )

    assert refused.status_code == 400 and set(refused.json()["error"]["details"]) == {"description"}
    assert accepted.status_code == 201
    assert Event.objects.get(pk="ctrl-2026").description == "Bring:\r\n- a laptop\n\t- a charger"


def test_api_patch_refuses_a_venue_with_a_line_break(client_for, organizer, event):
    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"venue": "Hall A\r\nX-Evil: 1"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"venue"}
    event.refresh_from_db()
    assert "\n" not in event.venue


def test_api_refuses_a_session_title_with_control_characters(client_for, organizer, event):
    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"sessions": [{"code": "day-1", "title": "Day\x001"}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not event.sessions.filter(code="day-1").exists()


def test_service_refuses_control_characters_whoever_calls_it(staff_user):
    from events.services import event_create
    from eventsite.errors import ValidationFailed

    starts = timezone.now() + timezone.timedelta(days=3)
    with pytest.raises(ValidationFailed) as refused:
        event_create(event_id="svc", title="A\x1bB", starts_at=starts, ends_at=starts, actor=staff_user)

    assert set(refused.value.details) == {"title"}


def test_signup_api_refuses_a_name_with_control_characters(api_client):
    body = {
        "enrollment_no": "23ECE10042",
        "full_name": "Meera\x00Iyer",
        "email": "meera@college.example",
        "password": "a-long-pass-phrase",
    }

    response = api_client.post("/api/v2/auth/signup/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"full_name"}
    assert not Student.objects.exists()


def test_team_name_with_control_characters_is_refused(client_for, team_event):
    leader, member = StudentFactory(), StudentFactory()

    response = client_for(team_event.organizers.first()).post(
        f"/api/v2/register/team/{team_event.pk}",
        {"team_name": "Null\x00Pointers", "leader": leader.pk, "members": [member.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"team_name"}


def test_signup_page_shows_the_refusal_next_to_the_field(client):
    form = {
        "enrollment_no": "23ECE10042",
        "full_name": "Meera\x1bIyer",
        "email": "meera@college.example",
        "password": "a-long-pass-phrase",
        "password_again": "a-long-pass-phrase",
    }

    response = client.post(reverse("signup"), form)

    assert response.status_code == 400
    assert 'id="id_full_name_error"' in response.content.decode()
    assert "control character" in response.content.decode()


def test_admin_refuses_an_event_title_with_a_line_break(admin_client):
    response = admin_client.post(
        reverse("admin:events_event_add"),
        {
            "event_id": "admin-ctrl",
            "title": "Robotics\r\nWeekend",
            "status": "draft",
            "starts_at_0": "2030-02-01",
            "starts_at_1": "10:00:00",
            "ends_at_0": "2030-02-01",
            "ends_at_1": "12:00:00",
            "registration_mode": "individual",
            "team_size_min": "1",
            "team_size_max": "1",
            "min_sessions_for_certificate": "1",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
            "feedback_questions-TOTAL_FORMS": "0",
            "feedback_questions-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "control character" in str(response.context["adminform"].form.errors["title"])
    assert not Event.objects.filter(pk="admin-ctrl").exists()


def test_admin_refuses_a_feedback_question_with_a_control_character(admin_client):
    event = EventFactory()
    form = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "organizers"}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        moment = data.pop(name, None)
        if moment is not None:
            moment = timezone.localtime(moment)
            data[f"{name}_0"], data[f"{name}_1"] = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")
    data.update(
        {
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
            "feedback_questions-TOTAL_FORMS": "1",
            "feedback_questions-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "feedback_questions-0-position": "0",
            "feedback_questions-0-kind": "rating",
            "feedback_questions-0-prompt": "How was\x1b[2J the talk?",
        }
    )

    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    [inline] = [
        formset for formset in response.context["inline_admin_formsets"] if "feedback" in formset.formset.prefix
    ]
    assert "control character" in str(inline.formset.errors)
    assert not event.feedback_questions.exists()


def test_import_students_reports_a_name_with_control_characters_as_a_bad_row(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text(
        "enrollment_no,full_name,email\n22CSE30001,Asha\x1b[2J Verma,asha@college.example\n22CSE30002,Ravi Kumar,\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError):
        call_command("import_students", str(path), stdout=out, stderr=err)

    assert "line 2" in err.getvalue().lower()
    assert list(Student.objects.values_list("pk", flat=True)) == ["22CSE30002"]


# Text stored before the validator: every way out still works.


def test_ics_of_an_event_whose_stored_title_holds_a_line_break(client):
    event = EventFactory(title=STORABLE_CONTROL_TITLE, venue="Hall\r\nB", description="One\r\nTwo\x07")

    response = client.get(reverse("event-ics", args=[event.pk]))

    assert response.status_code == 200
    [vevent] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["summary"]) == "Hack  Fest 2026"
    assert str(vevent["location"]) == "Hall  B"
    assert str(vevent["description"]) == "One\nTwo "


def test_student_feed_of_an_event_whose_stored_title_holds_a_line_break(client):
    event = EventFactory(title=STORABLE_CONTROL_TITLE)
    student = StudentFactory(full_name="Asha\r\nVerma")
    registration_create(event=event, enrollment_no=student.pk)

    response = client.get(f"/calendar/{student.calendar_token}.ics")

    assert response.status_code == 200
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 1


def test_emails_of_an_event_whose_stored_title_holds_a_line_break_are_sent(django_capture_on_commit_callbacks):
    event = EventFactory(title=STORABLE_CONTROL_TITLE)
    student = StudentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, enrollment_no=student.pk)

    [message] = mail.outbox
    assert message.subject == "Registration confirmed: Hack Fest 2026"  # a header is one line, spaces collapsed
    assert message.to == [student.email]


def test_pages_of_an_event_whose_stored_title_holds_a_line_break_render(client, login, organizer):
    event = EventFactory(title=STORABLE_CONTROL_TITLE, organizers=[organizer])
    registration_create(event=event, enrollment_no=StudentFactory(full_name="Asha\x0bVerma").pk)

    assert client.get(reverse("event-detail", args=[event.pk])).status_code == 200
    assert client.get(reverse("event-list")).status_code == 200
    login(organizer)
    assert client.get(f"/events/{event.pk}/manage/roster/").status_code == 200
    assert client.get(f"/events/{event.pk}/manage/roster.csv").status_code == 200


def test_legacy_migration_blanks_control_characters_and_goes_on(tmp_path):
    """A NUL in a legacy title stopped the whole migration on PostgreSQL, which cannot store it."""
    import json

    from tests.legacy.test_migrate_messy import event_doc, registration

    hostile = event_doc(
        "CTRL",
        {"R1": registration("R1", "22CSE30001")},
        event_name="Hack\r\nFest\x00",
        event_description="Bring:\r\n\ta laptop\x00",
        venue="Hall\x1b[2JB",
    )
    after = event_doc("AFTER", {"R2": registration("R2", "22CSE30002")})
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in (hostile, after)), encoding="utf-8")

    call_command("migrate_legacy_events", str(path), "--report", str(tmp_path / "report.json"), stdout=StringIO())

    stored = {event.pk: event for event in Event.objects.all()}
    assert set(stored) == {"CTRL", "AFTER"}
    assert (stored["CTRL"].title, stored["CTRL"].venue) == ("Hack Fest", "Hall [2JB")
    assert stored["CTRL"].description == "Bring:\n\ta laptop"


def test_a_merit_certificate_title_with_a_control_character_is_refused():
    from certificates.services import certificate_kind_and_title
    from eventsite.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        certificate_kind_and_title("merit", "Win\x1b[5mner")

    assert set(refused.value.details) == {"title"}
