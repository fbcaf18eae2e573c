"""The roster page, each of its actions and the roster API x the six roles: anonymous, a student
(registered at the event), a member of another club, the club's (student) organizer, its owner, staff."""

import pytest
from django.test import Client

from registrations.models import Attendance, Registration, RegistrationStatus
from registrations.services import registration_create
from tests.api.helpers import error_of
from tests.clubs.conftest import CLUB_ROLES, ClubCast
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

CLUB_SIDE = {"club_organizer", "club_owner", "staff"}


def _expected(ok: int, *, others: int, anonymous: int) -> dict[str, int]:
    return {role: ok if role in CLUB_SIDE else others for role in CLUB_ROLES} | {"anonymous": anonymous}


@pytest.fixture
def seated(club_cast: ClubCast) -> Registration:
    """The cast's student holds a seat; a second student waits for the last one."""
    event = club_cast.event
    event.capacity, event.waitlist_enabled = 1, True
    event.save(update_fields=["capacity", "waitlist_enabled"])
    registration = registration_create(event=event, enrollment_no=club_cast.student.pk)
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    return registration


def _client(club_cast: ClubCast, role: str) -> Client:
    client = Client()
    if (user := club_cast.user(role)) is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_the_roster_page_opens_for_the_club_side_only(club_cast, seated, role):
    response = _client(club_cast, role).get("/events/code-jam/manage/roster/")
    assert response.status_code == _expected(200, others=403, anonymous=302)[role]


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_checks_in_from_the_roster(club_cast, seated, role):
    response = _client(club_cast, role).post(
        "/events/code-jam/manage/roster/act/",
        {"registration": seated.pk, "action": "checkin", "session": "main"},
    )
    assert response.status_code == _expected(302, others=403, anonymous=302)[role]
    assert Attendance.objects.filter(registration=seated).exists() == (role in CLUB_SIDE)


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_seats_a_waitlisted_student(club_cast, seated, role):
    waiting = Registration.objects.get(event=club_cast.event, status=RegistrationStatus.WAITLISTED)
    response = _client(club_cast, role).post(
        "/events/code-jam/manage/roster/act/", {"registration": waiting.pk, "action": "promote", "add_seats": "1"}
    )
    assert response.status_code == _expected(302, others=403, anonymous=302)[role]
    waiting.refresh_from_db()
    assert (waiting.status == RegistrationStatus.CONFIRMED) == (role in CLUB_SIDE)


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_sees_the_cancel_confirmation(club_cast, seated, role):
    response = _client(club_cast, role).get(f"/events/code-jam/manage/roster/{seated.pk}/cancel/")
    assert response.status_code == _expected(200, others=403, anonymous=302)[role]


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_cancels_from_the_roster(club_cast, seated, role):
    """The registered student cancels on the event page, never through the organizers' roster."""
    response = _client(club_cast, role).post(f"/events/code-jam/manage/roster/{seated.pk}/cancel/")
    assert response.status_code == _expected(302, others=403, anonymous=302)[role]
    seated.refresh_from_db()
    assert (seated.status == RegistrationStatus.CANCELLED) == (role in CLUB_SIDE)


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_reads_the_roster_api(club_cast, seated, client_for, role):
    response = client_for(club_cast.user(role)).get("/api/v2/events/code-jam/roster/")

    expected = _expected(200, others=403, anonymous=401)[role]
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] == 2
    else:
        assert error_of(response)["code"] == {401: "NOT_AUTHENTICATED", 403: "PERMISSION_DENIED"}[expected]


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_a_draft_roster_is_for_the_club_side_only(club_cast, client_for, role):
    page = _client(club_cast, role).get("/events/code-draft/manage/roster/")
    api = client_for(club_cast.user(role)).get("/api/v2/events/code-draft/roster/")

    assert page.status_code == _expected(200, others=403, anonymous=302)[role]
    assert api.status_code == _expected(200, others=404, anonymous=401)[role]


@pytest.fixture
def awaiting(club_cast: ClubCast) -> Registration:
    """The club's event needs approval; a student waits for it."""
    event = club_cast.event
    event.approval_required = True
    event.save(update_fields=["approval_required"])
    registration = registration_create(event=event, enrollment_no=StudentFactory().pk)
    assert registration.status == RegistrationStatus.PENDING
    return registration


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_approves_from_the_roster(club_cast, awaiting, role):
    response = _client(club_cast, role).post(
        "/events/code-jam/manage/roster/act/", {"registration": awaiting.pk, "action": "approve"}
    )
    assert response.status_code == _expected(302, others=403, anonymous=302)[role]
    awaiting.refresh_from_db()
    assert (awaiting.status == RegistrationStatus.CONFIRMED) == (role in CLUB_SIDE)


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_sees_the_reject_confirmation(club_cast, awaiting, role):
    response = _client(club_cast, role).get(f"/events/code-jam/manage/roster/{awaiting.pk}/reject/")
    assert response.status_code == _expected(200, others=403, anonymous=302)[role]


@pytest.mark.parametrize("role", CLUB_ROLES)
def test_only_the_club_side_rejects_from_the_roster(club_cast, awaiting, role):
    response = _client(club_cast, role).post(
        f"/events/code-jam/manage/roster/{awaiting.pk}/reject/", {"reason": "Full of second-years."}
    )
    assert response.status_code == _expected(302, others=403, anonymous=302)[role]
    awaiting.refresh_from_db()
    assert (awaiting.status == RegistrationStatus.REJECTED) == (role in CLUB_SIDE)
