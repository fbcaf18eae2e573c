import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from analytics.selectors import event_analytics
from certificates.models import Certificate
from events.models import Event
from registrations.models import FeedbackAnswer
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    FeedbackFactory,
    FeedbackQuestionFactory,
    RegistrationFactory,
    StaffFactory,
    StudentFactory,
    StudentUserFactory,
    TeamEventFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture
def seminar(organizer, settings):
    """Ten registrations whose every figure is worked out by hand in the tests."""
    settings.TIME_ZONE = "Asia/Kolkata"
    event = EventFactory(organizers=[organizer], sessions=["day-1", "day-2"], title="AI Seminar")
    day1, day2 = event.sessions.order_by("position")
    plan = [
        # department, year, registered_at (IST), sessions attended, feedback rating
        ("CSE", 1, datetime(2026, 3, 1, 9, 0), [day1, day2], 5),
        ("CSE", 1, datetime(2026, 3, 1, 23, 59), [day1], 4),
        ("CSE", 2, datetime(2026, 3, 2, 0, 1), [day1, day2], 4),
        ("ECE", 2, datetime(2026, 3, 2, 10, 0), [day1], 2),
        ("ECE", 3, datetime(2026, 3, 4, 10, 0), [day2], None),
        ("ME", None, datetime(2026, 3, 4, 11, 0), [], None),
    ]
    registrations = []
    for department, year, registered_at, sessions, rating in plan:
        registration = RegistrationFactory(
            event=event,
            student=StudentFactory(department=department, year=year),
            registered_at=registered_at.replace(tzinfo=IST),
        )
        registrations.append(registration)
        for session in sessions:
            AttendanceFactory(registration=registration, session=session)
        if rating:
            FeedbackFactory(registration=registration, rating=rating)
    RegistrationFactory(
        event=event,
        student=StudentFactory(department="ME", year=3),
        status="waitlisted",
        registered_at=datetime(2026, 3, 4, 12, 0, tzinfo=IST),
    )
    # The services keep the confirmed count on the event's row; these rows were written directly.
    Event.objects.filter(pk=event.pk).update(confirmed_count=len(plan))
    event.refresh_from_db()
    RegistrationFactory(event=event, status="cancelled", registered_at=datetime(2026, 3, 3, 12, 0, tzinfo=IST))
    for registration in registrations[:3]:
        Certificate.objects.create(
            certificate_id=f"C{registration.pk}",
            event=event,
            student=registration.student,
            registration=registration,
            issued_at=registration.registered_at,
        )
    Certificate.objects.filter(pk=f"C{registrations[2].pk}").update(revoked_at=registrations[2].registered_at)
    venue = FeedbackQuestionFactory(event=event, prompt="The venue", kind="rating", position=0)
    FeedbackQuestionFactory(event=event, prompt="What should change?", kind="text", position=1)
    for feedback, rating in zip(event.feedback_set.order_by("submitted_at"), (5, 3, 4), strict=False):
        FeedbackAnswer.objects.create(feedback=feedback, question=venue, rating=rating)
    return event


def test_event_analytics_counts_and_rates(seminar):
    result = event_analytics(seminar)

    assert result["event_id"] == seminar.pk
    assert result["counts"] == {
        "registered": 6,
        "waitlisted": 1,
        "teams": 0,
        "attended": 5,
        "feedbacks": 4,
        "certificates": 2,
    }
    assert result["attendance_rate"] == round(5 / 6, 4)
    assert result["certificates_issued"] == 2


def test_event_analytics_registrations_by_local_day_include_the_waitlist(seminar):
    assert event_analytics(seminar)["registrations_by_day"] == {
        "2026-03-01": 2,
        "2026-03-02": 2,
        "2026-03-04": 3,
    }


def test_event_analytics_departments_years_and_sessions(seminar):
    result = event_analytics(seminar)

    assert result["departments"] == {"CSE": 3, "ECE": 2, "ME": 2}
    assert result["years"] == {"1": 2, "2": 2, "3": 2, "unknown": 1}
    assert [(row["session"], row["attended"], row["rate"]) for row in result["attendance_by_session"]] == [
        ("day-1", 4, round(4 / 6, 4)),
        ("day-2", 3, 0.5),
    ]


def test_event_analytics_feedback_histogram_and_average(seminar):
    assert event_analytics(seminar)["feedback"] == {
        "count": 4,
        "average": 3.75,
        "histogram": {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1},
    }


def test_event_analytics_question_averages(seminar):
    questions = event_analytics(seminar)["questions"]

    assert [(q["prompt"], q["kind"], q["answers"], q["average"]) for q in questions] == [
        ("The venue", "rating", 3, 4.0),
        ("What should change?", "text", 0, None),
    ]


def test_event_analytics_of_an_empty_event_has_zeroes_and_nulls():
    result = event_analytics(EventFactory())

    assert result["attendance_rate"] is None
    assert result["feedback"] == {"count": 0, "average": None, "histogram": {str(n): 0 for n in range(1, 6)}}
    assert result["registrations_by_day"] == {} and result["departments"] == {} and result["questions"] == []


def test_event_analytics_counts_active_teams():
    event = TeamEventFactory()
    TeamFactory(event=event)
    TeamFactory(event=event, status="cancelled")

    assert event_analytics(event)["counts"]["teams"] == 1


def test_event_analytics_takes_the_same_queries_whatever_the_size(seminar, django_assert_max_num_queries):
    with django_assert_max_num_queries(16) as captured:
        event_analytics(seminar)
    baseline = len(captured.captured_queries)
    for _ in range(5):
        AttendanceFactory(registration=RegistrationFactory(event=seminar))
    with django_assert_max_num_queries(baseline):
        event_analytics(seminar)


def _svgs(response) -> dict[str, ET.Element]:
    html = response.content.decode()
    found = {}
    start = 0
    while (start := html.find("<svg", start)) != -1:
        end = html.index("</svg>", start) + len("</svg>")
        element = ET.fromstring(html[start:end])
        found[element.get("id")] = element
        start = end
    return found


def test_the_analytics_page_shows_every_chart_to_the_organizer(client, organizer, seminar):
    client.force_login(organizer)

    response = client.get(reverse("event-analytics", args=[seminar.pk]))

    assert response.status_code == 200
    charts = _svgs(response)
    assert set(charts) == {
        "chart-registrations",
        "chart-attendance",
        "chart-feedback",
        "chart-departments",
        "chart-years",
        "chart-certificates",
        "chart-questions",
    }
    assert all(chart.get("role") == "img" for chart in charts.values())
    svg = "{http://www.w3.org/2000/svg}"
    descriptions = {key: chart.find(f"{svg}desc").text for key, chart in charts.items()}
    assert descriptions["chart-attendance"] == "day-1: 4 (67%); day-2: 3 (50%)"
    assert descriptions["chart-feedback"] == "1 ★: 0; 2 ★: 1; 3 ★: 0; 4 ★: 2; 5 ★: 1"
    assert descriptions["chart-registrations"] == "1 Mar: 2; 2 Mar: 2; 3 Mar: 0; 4 Mar: 3"
    assert descriptions["chart-departments"] == "CSE: 3; ECE: 2; ME: 2"
    assert descriptions["chart-years"] == "Year 1: 2; Year 2: 2; Year 3: 2; Unknown: 1"
    assert descriptions["chart-certificates"] == "Issued: 2 of 6"
    assert descriptions["chart-questions"] == "The venue: 4.00 / 5"
    page = response.content.decode()
    assert "Average 3.75 out of 5 from 4 students." in page
    assert reverse("event-export-xlsx", args=[seminar.pk]) in page
    assert "cdn" not in page.lower()


def test_staff_see_any_events_analytics(client, seminar):
    client.force_login(StaffFactory())

    assert client.get(reverse("event-analytics", args=[seminar.pk])).status_code == 200


@pytest.mark.parametrize("who", ["student", "other_organizer"])
def test_others_may_not_see_an_events_analytics(client, seminar, who):
    user = StudentUserFactory().user if who == "student" else UserFactory()
    EventFactory(organizers=[user])
    client.force_login(user)

    assert client.get(reverse("event-analytics", args=[seminar.pk])).status_code == 403


def test_the_analytics_page_sends_anonymous_users_to_log_in(client, seminar):
    response = client.get(reverse("event-analytics", args=[seminar.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_analytics_page_of_an_unknown_event_is_not_found(client, organizer):
    client.force_login(organizer)

    assert client.get(reverse("event-analytics", args=["no-such-event"])).status_code == 404


def test_the_analytics_page_of_an_event_without_data_still_renders(client, organizer):
    event = EventFactory(organizers=[organizer])
    client.force_login(organizer)

    response = client.get(reverse("event-analytics", args=[event.pk]))

    assert response.status_code == 200
    assert "No feedback yet." in response.content.decode()
    assert "chart-questions" not in _svgs(response)
