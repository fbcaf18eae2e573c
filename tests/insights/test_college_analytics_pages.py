import csv
import io

import pytest
from django.urls import reverse

from tests.factories import StaffFactory, StudentUserFactory, UserFactory

pytestmark = pytest.mark.django_db

QUARTER = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_staff_see_the_college_figures_for_a_period(staff_client, college):
    response = staff_client.get(reverse("college-analytics"), QUARTER)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Events starting 1 Jan 2026 to 31 Mar 2026" in page
    for chart_id in ("chart-college-departments", "chart-college-years", "chart-college-events"):
        assert f'id="{chart_id}"' in page
    assert "ECE: 50%" in page  # department participation, in the chart's description
    assert "22CSE00001" in page
    assert f"{reverse('college-analytics-csv')}?from=2026-01-01&amp;to=2026-03-31" in page


def test_the_page_without_a_period_shows_the_last_twelve_months(staff_client):
    response = staff_client.get(reverse("college-analytics"))

    assert response.status_code == 200
    period = response.context["result"].period
    assert (period.end - period.start).days == 364


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13-01"}, "Enter a valid date."),
        ({"from": "yesterday", "to": "2026-01-01"}, "Enter a valid date."),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "The period must end on or after the day it starts."),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "Choose a period of at most five years."),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "Choose dates between 2000 and 2999."),
        ({"to": "9999-12-31"}, "Choose dates between 2000 and 2999."),
    ],
)
def test_a_bad_period_is_a_form_error_not_a_server_error(staff_client, query, message):
    page = staff_client.get(reverse("college-analytics"), query)
    download = staff_client.get(reverse("college-analytics-csv"), query)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert download.status_code == 400
    assert message in download.content.decode()


def test_the_csv_carries_every_table_with_the_same_figures(staff_client, college):
    response = staff_client.get(reverse("college-analytics-csv"), QUARTER)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="college-analytics-2026-01-01-2026-03-31.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["College analytics", "2026-01-01 to 2026-03-31"]
    assert ["ECE", "2", "1", "0.5000", "2", "1", "0.5000"] in rows
    assert ["ME", "1", "0", "0.0000", "0", "0", ""] in rows
    assert ["1", "3", "2", "0.6667", "4", "3", "0.7500"] in rows
    event_rows = [row for row in rows if row and row[0] in {"alpha", "beta", "gamma"}]
    assert [(row[0], row[3], row[4], row[5]) for row in event_rows] == [
        ("alpha", "3", "2", "0.6667"),
        ("beta", "3", "2", "0.6667"),
        ("gamma", "1", "0", "0.0000"),
    ]
    assert ["22CSE00001", college["A"].full_name, "CSE", "1", "2", "2", "3"] in rows


@pytest.mark.parametrize("name", ["college-analytics", "college-analytics-csv"])
def test_college_analytics_are_for_staff_only(client, name):
    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 403
    client.force_login(StudentUserFactory().user)
    assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name))["Location"].startswith(reverse("login"))
