"""Who may register, x the six roles of the club matrix (tests/clubs/test_club_permissions.py): the access codes
endpoint and page, approving and rejecting a registration, and the event's audience fields."""

import pytest
from django.test import Client

from events.models import Event
from registrations.models import AccessCode, Registration, RegistrationStatus
from registrations.services import registration_create
from tests.api.helpers import error_of
from tests.clubs.conftest import CLUB_ROLES
from tests.clubs.test_club_permissions import CLUB_SIDE, ERROR_CODES, Call, statuses
from tests.factories import StudentUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(club_cast) -> Registration:
    """The club's event needs approval and takes access codes; a student's registration waits."""
    Event.objects.filter(pk=club_cast.event.pk).update(approval_required=True, access_code_required=True)
    AccessCode.objects.create(event=club_cast.event, code="JAM12345", max_uses=5)
    applicant = StudentUserFactory()
    return registration_create(
        event=club_cast.event.pk, enrollment_no=applicant.pk, access_code="JAM12345", actor=applicant.user
    )


API_CALLS = {
    "access-codes-list": Call("get", "/api/v2/events/code-jam/access-codes", statuses(CLUB_SIDE, 200, others=403)),
    "access-codes-create": Call(
        "post",
        "/api/v2/events/code-jam/access-codes",
        statuses(CLUB_SIDE, 201, others=403),
        lambda c: {"count": 2, "max_uses": 3},
    ),
    "registration-approve": Call(
        "post", "/api/v2/registrations/{registration}/approve", statuses(CLUB_SIDE, 200, others=403)
    ),
    "registration-reject": Call(
        "post",
        "/api/v2/registrations/{registration}/reject",
        statuses(CLUB_SIDE, 200, others=403),
        lambda c: {"reason": "Not this year."},
    ),
    "event-audience-patch": Call(
        "patch",
        "/api/v2/events/code-jam/",
        statuses(CLUB_SIDE, 200, others=403),
        lambda c: {"eligible_departments": ["CSE"], "eligible_years": [2, 3], "approval_required": False},
    ),
}


@pytest.mark.parametrize("role", CLUB_ROLES)
@pytest.mark.parametrize("call_name", API_CALLS)
def test_each_role_gets_its_status_from_the_audience_api(club_cast, waiting, client_for, call_name, role):
    call = API_CALLS[call_name]
    path = call.path.format(registration=waiting.pk)

    response = getattr(client_for(club_cast.user(role)), call.method)(path, call.body(club_cast), format="json")

    expected = call.expected[role]
    assert response.status_code == expected, response.content
    if expected in ERROR_CODES:
        assert error_of(response)["code"] == ERROR_CODES[expected]
    if call_name.startswith("registration-"):
        decided = Registration.objects.get(pk=waiting.pk).status
        assert (decided == RegistrationStatus.PENDING) == (expected != 200)


PAGE_CALLS = {
    "access-codes-page": Call(
        "get", "/events/code-jam/manage/access-codes/", statuses(CLUB_SIDE, 200, others=403, anonymous=302)
    ),
    "access-codes-make": Call(
        "post",
        "/events/code-jam/manage/access-codes/",
        statuses(CLUB_SIDE, 200, others=403, anonymous=302),
        lambda c: {"count": "2", "max_uses": "1"},
    ),
    "event-page-register": Call(
        "post",
        "/events/code-jam/",
        # Only a student registers from the page; the organizers are its club's logins, not students,
        # except the student organizer, who may register for their own club's event.
        statuses({"student", "club_organizer"}, 302, others=403, anonymous=302),
        lambda c: {"action": "register", "access_code": "JAM12345"},
    ),
}


@pytest.mark.parametrize("role", CLUB_ROLES)
@pytest.mark.parametrize("call_name", PAGE_CALLS)
def test_each_role_gets_its_status_from_the_audience_pages(club_cast, waiting, call_name, role):
    call = PAGE_CALLS[call_name]
    client = Client()
    if (user := club_cast.user(role)) is not None:
        client.force_login(user)

    response = getattr(client, call.method)(call.path, call.body(club_cast))

    assert response.status_code == call.expected[role]
    codes = AccessCode.objects.filter(event=club_cast.event).count()
    assert codes == (3 if call_name == "access-codes-make" and call.expected[role] == 200 else 1)
