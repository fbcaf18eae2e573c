"""An organizer opens their event's analytics: every chart is drawn, labelled and readable.

Saves the page under artifacts/screenshots/; `UPDATE_README_SCREENSHOTS=1 make e2e` also
refreshes docs/screenshots/analytics.png for the README.
"""

import os
import shutil
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates.services import certificate_issue_all_eligible
from events.models import Event, EventSession
from registrations.services import attendance_mark, feedback_submit, registration_create
from tests.e2e.conftest import ROOT, log_in
from tests.factories import EventFactory, FeedbackQuestionFactory, StudentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS = ROOT / "docs" / "screenshots"
MAX_BYTES = 200 * 1024
DEPARTMENTS = ["CSE"] * 14 + ["ECE"] * 9 + ["ME"] * 6 + ["IT"] * 5 + ["CE"] * 2
CHARTS = {
    "chart-registrations": "Registrations per day",
    "chart-attendance": "Attendance per session",
    "chart-feedback": "Feedback ratings",
    "chart-departments": "Registered students by department",
    "chart-years": "Registered students by year",
    "chart-certificates": "Certificates issued",
    "chart-questions": "Average rating per feedback question",
}


def _workshop(organizer) -> Event:
    """A two-day workshop with 36 registrations spread over a week, attendance, feedback and certificates."""
    event = EventFactory(
        event_id="ml-workshop-2026",
        title="Machine Learning Workshop",
        organizers=[organizer],
        sessions=["day-1", "day-2"],
        certificate_requires_feedback=True,
    )
    for position, title in enumerate(["Day 1: foundations", "Day 2: projects"]):
        EventSession.objects.filter(event=event, position=position).update(title=title)
    venue = FeedbackQuestionFactory(event=event, prompt="The venue and equipment", position=0)
    speakers = FeedbackQuestionFactory(event=event, prompt="The speakers", position=1)
    FeedbackQuestionFactory(event=event, prompt="What should we change?", kind="text", position=2)
    first_day = timezone.make_aware(datetime(2026, 2, 2, 10, 0))
    starts = {session.code: session.starts_at for session in event.sessions.all()}
    for n, department in enumerate(DEPARTMENTS):
        student = StudentFactory(department=department, year=n % 4 + 1)
        registration = registration_create(event=event, enrollment_no=student.pk)
        registration.registered_at = first_day + timedelta(days=[0, 0, 1, 1, 1, 2, 3, 3, 5, 6][n % 10], hours=n % 7)
        registration.save(update_fields=["registered_at"])
        if n % 6 == 5:
            continue
        attendance_mark(event=event, enrollment_no=student.pk, session="day-1", at=starts["day-1"])
        if n % 3:
            attendance_mark(event=event, enrollment_no=student.pk, session="day-2", at=starts["day-2"])
        if n % 4 != 3:
            feedback_submit(
                event=event,
                enrollment_no=student.pk,
                rating=[5, 4, 4, 3, 5, 4, 2][n % 7],
                answers={venue.pk: [4, 3, 5, 4][n % 4], speakers.pk: [5, 5, 4, 3, 5][n % 5]},
            )
    certificate_issue_all_eligible(event=event)
    return event


def test_an_organizer_sees_the_events_analytics_as_charts(new_context, shoot):
    organizer = UserFactory(username="organizer")
    event = _workshop(organizer)

    page = new_context(width=1100, height=900).new_page()
    log_in(page, "organizer")
    page.goto(f"/events/{event.pk}/analytics/")

    expect(page.get_by_role("heading", name="Analytics")).to_be_visible()
    for chart_id, title in CHARTS.items():
        chart = page.locator(f"svg#{chart_id}")
        expect(chart).to_be_visible()
        expect(chart).to_have_attribute("role", "img")
        expect(chart).to_have_attribute("aria-label", title)
        assert chart.bounding_box()["height"] > 40
    expect(page.get_by_role("img", name="Attendance per session")).to_be_visible()
    expect(page.locator("svg#chart-departments text", has_text="CSE")).to_be_visible()
    expect(page.locator("svg#chart-attendance text", has_text="30 (83%)")).to_be_visible()
    expect(page.get_by_role("link", name="Download roster (Excel)")).to_be_visible()

    path = shoot(page, "analytics")
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    if os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / "analytics.png")


def test_an_organizer_of_another_event_is_turned_away(new_context):
    _workshop(UserFactory(username="organizer"))
    UserFactory(username="someone-else")

    page = new_context().new_page()
    log_in(page, "someone-else")
    response = page.goto("/events/ml-workshop-2026/analytics/")

    assert response.status == 403
    assert page.locator("svg.chart").count() == 0
