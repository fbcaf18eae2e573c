"""Every club endpoint and page, and a club event's organizer endpoints and pages, x the six roles:
anonymous, a student, a member of another club, the club's (student) organizer, its owner, staff."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client

from tests.api.helpers import error_of
from tests.clubs.conftest import CLUB_ROLES, ClubCast

pytestmark = pytest.mark.django_db

CLUB_SIDE = {"club_organizer", "club_owner", "staff"}
MANAGERS = {"club_owner", "staff"}


def statuses(allowed: set[str], ok: int, *, others: int, anonymous: int = 401, **exceptions: int) -> dict[str, int]:
    table = {role: ok if role in allowed else others for role in CLUB_ROLES}
    return table | {"anonymous": anonymous} | exceptions


@dataclass
class Call:
    method: str
    path: str
    expected: dict[str, int]
    body: Callable[[ClubCast], dict] = field(default=lambda cast: {})


NEW_EVENT = {"event_id": "code-jam-2", "title": "Code Jam 2", "starts_at": "2027-01-01T10:00:00Z"}

API_CALLS = {
    "clubs-list": Call("get", "/api/v2/clubs/", statuses(set(CLUB_ROLES), 200, others=200)),
    "clubs-create": Call(
        "post", "/api/v2/clubs/", statuses({"staff"}, 201, others=403), lambda c: {"club_id": "robotics", "name": "R"}
    ),
    "club-detail": Call("get", "/api/v2/clubs/coding-club/", statuses(CLUB_SIDE, 200, others=404)),
    "club-patch": Call(
        "patch",
        "/api/v2/clubs/coding-club/",
        statuses(MANAGERS, 200, others=404, club_organizer=403),
        lambda c: {"name": "The Coding Club"},
    ),
    "club-members-add": Call(
        "post",
        "/api/v2/clubs/coding-club/members",
        statuses(MANAGERS, 201, others=404, club_organizer=403),
        lambda c: {"username": c.student.user.username, "role": "organizer"},
    ),
    "club-member-remove": Call(
        "delete",
        "/api/v2/clubs/coding-club/members/{organizer}",
        statuses(CLUB_SIDE, 200, others=404),
    ),
    "event-create": Call(
        "post",
        "/api/v2/events/",
        statuses(CLUB_SIDE, 201, others=403),
        lambda c: NEW_EVENT | {"ends_at": "2027-01-01T18:00:00Z", "club": "coding-club"},
    ),
    "draft-detail": Call("get", "/api/v2/events/code-draft/", statuses(CLUB_SIDE, 200, others=404, anonymous=404)),
    "event-patch": Call(
        "patch", "/api/v2/events/code-jam/", statuses(CLUB_SIDE, 200, others=403), lambda c: {"venue": "Lab 3"}
    ),
    "draft-publish": Call(
        "post", "/api/v2/events/code-draft/publish", statuses(CLUB_SIDE, 200, others=404), lambda c: {}
    ),
    "pending-approve": Call(
        "post",
        "/api/v2/events/code-pending/approve",
        statuses({"staff"}, 200, others=404, club_organizer=403, club_owner=403),
        lambda c: {},
    ),
    "event-cancel": Call(
        "post", "/api/v2/events/code-jam/cancel", statuses(CLUB_SIDE, 200, others=403), lambda c: {"reason": "Rain."}
    ),
    "event-status": Call("get", "/api/v2/status/code-jam", statuses(CLUB_SIDE, 200, others=403)),
}
ERROR_CODES = {401: "NOT_AUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


@pytest.mark.parametrize("role", CLUB_ROLES)
@pytest.mark.parametrize("call_name", API_CALLS)
def test_each_role_gets_its_status_from_the_club_api(club_cast, client_for, call_name, role):
    call = API_CALLS[call_name]
    path = call.path.format(organizer=club_cast.club_organizer.user.username)

    response = getattr(client_for(club_cast.user(role)), call.method)(path, call.body(club_cast), format="json")

    expected = call.expected[role]
    assert response.status_code == expected, response.content
    if expected in ERROR_CODES:
        assert error_of(response)["code"] == ERROR_CODES[expected]


@pytest.mark.parametrize(
    ("role", "clubs"),
    [
        ("student", []),
        ("other_club_member", ["music-club"]),
        ("club_organizer", ["coding-club"]),
        ("club_owner", ["coding-club"]),
        ("staff", ["coding-club", "music-club"]),
    ],
)
def test_the_club_list_shows_members_their_clubs_and_staff_all(club_cast, client_for, role, clubs):
    page = client_for(club_cast.user(role)).get("/api/v2/clubs/").json()
    assert [club["club_id"] for club in page["results"]] == clubs


PAGE_CALLS = {
    "organize": Call("get", "/organize/", statuses(CLUB_SIDE | {"other_club_member"}, 200, others=403, anonymous=302)),
    "club-page": Call("get", "/organize/clubs/coding-club/", statuses(CLUB_SIDE, 200, others=404, anonymous=302)),
    "club-add-member": Call(
        "post",
        "/organize/clubs/coding-club/",
        statuses(MANAGERS, 302, others=404, anonymous=302, club_organizer=403),
        lambda c: {"username": c.student.user.username, "role": "organizer"},
    ),
    "club-remove-member-confirm": Call(
        "get",
        "/organize/clubs/coding-club/members/{organizer}/remove/",
        statuses(CLUB_SIDE, 200, others=404, anonymous=302),
    ),
    "club-remove-member": Call(
        "post",
        "/organize/clubs/coding-club/members/{organizer}/remove/",
        statuses(CLUB_SIDE, 302, others=404, anonymous=302),
    ),
    "event-overview": Call("get", "/organize/events/code-jam/", statuses(CLUB_SIDE, 200, others=403, anonymous=302)),
    "event-new": Call(
        "get",
        "/organize/events/new/",
        statuses(CLUB_SIDE | {"other_club_member"}, 200, others=403, anonymous=302),
    ),
    "event-edit": Call("get", "/organize/events/code-draft/edit/", statuses(CLUB_SIDE, 200, others=403, anonymous=302)),
    "draft-publish": Call(
        "post", "/organize/events/code-draft/publish/", statuses(CLUB_SIDE, 302, others=403, anonymous=302)
    ),
    "pending-approve": Call(
        "post", "/organize/events/code-pending/approve/", statuses({"staff"}, 302, others=403, anonymous=302)
    ),
    "event-cancel-confirm": Call(
        "get", "/organize/events/code-jam/cancel/", statuses(CLUB_SIDE, 200, others=403, anonymous=302)
    ),
    "event-cancel": Call(
        "post",
        "/organize/events/code-jam/cancel/",
        statuses(CLUB_SIDE, 302, others=403, anonymous=302),
        lambda c: {"reason": "Rain."},
    ),
    "draft-page": Call("get", "/events/code-draft/", statuses(CLUB_SIDE, 200, others=404, anonymous=404)),
    "roster-page": Call("get", "/events/code-jam/manage/roster/", statuses(CLUB_SIDE, 200, others=403, anonymous=302)),
    "checkin-page": Call(
        "get", "/events/code-jam/manage/checkin/", statuses(CLUB_SIDE, 200, others=403, anonymous=302)
    ),
}


@pytest.mark.parametrize("role", CLUB_ROLES)
@pytest.mark.parametrize("call_name", PAGE_CALLS)
def test_each_role_gets_its_status_from_the_club_pages(club_cast, call_name, role):
    call = PAGE_CALLS[call_name]
    client = Client()
    if (user := club_cast.user(role)) is not None:
        client.force_login(user)
    path = call.path.format(organizer=club_cast.club_organizer.user.username)

    response = getattr(client, call.method)(path, call.body(club_cast))

    assert response.status_code == call.expected[role]
