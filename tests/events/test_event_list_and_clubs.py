"""The event list (upcoming first, then past; by club and department, with search, tabs and pages),
the club page, and the contact on the event page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clubs.services import club_create, club_update
from events.selectors import event_list_published
from tests.factories import EventFactory, StaffFactory

pytestmark = pytest.mark.django_db


def in_days(days: float):
    return timezone.now() + timedelta(days=days)


def event_on(days: float, **fields):
    """An event starting in ``days`` days (negative: past), lasting two hours."""
    starts = in_days(days)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=starts - timedelta(days=30),
        registration_closes_at=starts - timedelta(hours=1),
        **fields,
    )


@pytest.fixture
def calendar():
    """Three coming events and two past ones, created out of order."""
    return {
        "far": event_on(20, event_id="far"),
        "old": event_on(-30, event_id="old"),
        "soon": event_on(1, event_id="soon"),
        "recent": event_on(-2, event_id="recent"),
        "next-week": event_on(7, event_id="next-week"),
    }


def test_upcoming_events_come_first_soonest_first_then_past_ones_latest_first(calendar):
    assert [event.pk for event in event_list_published()] == ["soon", "next-week", "far", "recent", "old"]


def test_an_event_under_way_counts_as_upcoming(calendar):
    ongoing = EventFactory(event_id="ongoing", starts_at=in_days(-0.01), ends_at=in_days(0.5))

    assert [event.pk for event in event_list_published()][:2] == [ongoing.pk, "soon"]


def test_the_past_tab_shows_the_latest_first(calendar):
    assert [event.pk for event in event_list_published(status="past")] == ["recent", "old"]


@pytest.fixture
def clubs():
    staff = StaffFactory()
    return {
        "robotics": club_create(club_id="robotics", name="Robotics Club", department="ece", actor=staff),
        "acm": club_create(club_id="acm", name="ACM Chapter", department="CSE", actor=staff),
        "cse": club_create(club_id="cse", name="Department of CSE", kind="department", department="CSE", actor=staff),
    }


@pytest.fixture
def club_events(clubs):
    return {
        "bots": event_on(3, event_id="bots", club=clubs["robotics"], title="Bot Wars"),
        "hack": event_on(2, event_id="hack", club=clubs["acm"], title="Hack Night"),
        "talk": event_on(5, event_id="talk", club=clubs["cse"], title="Guest talk"),
        "old-hack": event_on(-5, event_id="old-hack", club=clubs["acm"], title="Hack Night 2025"),
        "open": event_on(4, event_id="open", title="College day"),
    }


def test_the_list_filters_by_club(club_events):
    assert [e.pk for e in event_list_published(club="acm")] == ["hack", "old-hack"]


def test_the_list_filters_by_the_department_of_the_organizing_club_in_any_case(club_events):
    assert [e.pk for e in event_list_published(department="cse")] == ["hack", "talk", "old-hack"]


def test_club_department_search_and_status_work_together(club_events):
    assert [e.pk for e in event_list_published(department="CSE", status="past")] == ["old-hack"]
    assert [e.pk for e in event_list_published(department="CSE", club="acm", q="night")] == ["hack", "old-hack"]
    assert list(event_list_published(department="ECE", club="acm")) == []


def test_the_list_page_filters_and_keeps_the_filters_in_tabs_and_pages(client, club_events, monkeypatch):
    monkeypatch.setattr("pages.views.EVENTS_PER_PAGE", 1)

    page = client.get("/events/", {"department": "CSE", "club": "acm"})

    html = page.content.decode()
    assert [e.pk for e in page.context["page"].object_list] == ["hack"]
    assert 'href="?club=acm&amp;department=CSE&amp;page=2"' in html
    assert 'href="/events/?status=past&amp;club=acm&amp;department=CSE"' in html
    assert '<option value="acm" selected>ACM Chapter</option>' in html
    assert "Clear the filters" in html
    second = client.get("/events/", {"department": "CSE", "club": "acm", "page": "2"})
    assert [e.pk for e in second.context["page"].object_list] == ["old-hack"]


def test_an_unknown_club_in_the_address_is_ignored_not_an_error(client, club_events):
    response = client.get("/events/", {"club": "no-such-club", "q": "hack"})

    assert response.status_code == 200
    assert [e.pk for e in response.context["page"].object_list] == ["hack", "old-hack"]


def test_the_api_list_filters_by_club_and_department(client_for, club_events):
    api = client_for(None)

    by_club = api.get("/api/v2/events/", {"club": "acm"}).json()
    by_department = api.get("/api/v2/events/", {"department": "cse", "status": "open"}).json()

    assert [e["event_id"] for e in by_club["results"]] == ["hack", "old-hack"]
    assert [e["event_id"] for e in by_department["results"]] == ["hack", "talk"]


def test_the_api_list_refuses_a_malformed_club_filter(client_for):
    response = client_for(None).get("/api/v2/events/", {"club": "not a slug"})

    assert response.status_code == 400
    assert response.json()["error"]["details"]["club"]


def test_the_list_page_queries_do_not_grow_with_its_events(client, clubs, django_assert_max_num_queries):
    for n in range(15):
        event_on(n + 1, club=clubs["acm" if n % 2 else "robotics"])
    with django_assert_max_num_queries(8):
        response = client.get("/events/")
    assert "ACM Chapter" in response.content.decode() and "Robotics Club" in response.content.decode()


# The club page


def test_the_club_page_lists_its_coming_events_then_its_past_ones(client, club_events):
    response = client.get("/clubs/acm/")

    assert response.status_code == 200
    assert [e.pk for e in response.context["coming"]] == ["hack"]
    assert [e.pk for e in response.context["past"]] == ["old-hack"]
    assert "ACM Chapter" in response.content.decode()


def test_the_club_page_leaves_out_drafts(client, clubs):
    EventFactory(club=clubs["acm"], status="draft", title="Secret plans")

    assert "Secret plans" not in client.get("/clubs/acm/").content.decode()


def test_an_unknown_club_page_is_404(client):
    assert client.get("/clubs/nobody/").status_code == 404


# The event page: its club and contact


def test_the_event_page_links_the_organizing_club(client, club_events):
    html = client.get("/events/hack/").content.decode()

    assert '<dt>Organized by</dt><dd><a href="/clubs/acm/">ACM Chapter</a></dd>' in html


def test_the_event_page_shows_the_events_contact_else_the_clubs(client, clubs, club_events):
    club_update(club=clubs["acm"], contact_email="acm@college.example")
    own = event_on(6, event_id="own", club=clubs["acm"], contact_email="hack-team@college.example")

    assert 'href="mailto:acm@college.example">acm@college.example</a>' in client.get("/events/hack/").content.decode()
    assert "mailto:hack-team@college.example" in client.get(f"/events/{own.pk}/").content.decode()
    assert "Questions" not in client.get("/events/open/").content.decode()


def test_organizers_set_the_contact_through_the_api(client_for, event, organizer):
    response = client_for(organizer).patch(
        f"/api/v2/events/{event.pk}/", {"contact_email": "desk@college.example"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["contact_email"] == response.json()["contact"] == "desk@college.example"


def test_a_full_event_page_says_full_join_the_waitlist_not_zero_seats_left(client):
    full = EventFactory(capacity=0, waitlist_enabled=True)
    closed = EventFactory(capacity=0)

    assert "<dd>Full: join the waitlist</dd>" in client.get(f"/events/{full.pk}/").content.decode()
    assert "<dd>Full</dd>" in client.get(f"/events/{closed.pk}/").content.decode()
    assert "0 of 0 left" not in client.get(f"/events/{full.pk}/").content.decode()
