"""Every endpoint x the six roles of API.md -> the status it answers with."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from certificates.models import CertificateTemplate
from certificates.services import certificate_issue, certificate_template_create
from clubs.models import Club
from clubs.services import club_create, club_member_set
from events.models import Event
from events.services import event_poster_set
from eventsite.api_urls import urlpatterns as api_urlpatterns
from registrations.models import Registration, ScannerLink
from registrations.services import attendance_mark, registration_create, scanner_link_create
from registrations.teams import team_create, team_invitation_accept
from tests.api.helpers import ROLES, Cast, error_of
from tests.factories import StudentFactory, StudentUserFactory, UserFactory
from tests.images import photo_with_gps

pytestmark = pytest.mark.django_db


def registered(cast: Cast) -> None:
    registration_create(event=cast.event, enrollment_no=cast.student.pk)


def attended(cast: Cast) -> None:
    registered(cast)
    attendance_mark(event=cast.event, enrollment_no=cast.student.pk)


def a_poster(cast: Cast) -> None:
    event_poster_set(event=cast.event, upload=photo_with_gps(size=(40, 30)))


def a_poster_upload(cast: Cast) -> dict:
    return {"poster": SimpleUploadedFile("poster.jpg", photo_with_gps(size=(40, 30)), "image/jpeg")}


def a_scanner_link(cast: Cast) -> None:
    scanner_link_create(event=cast.event, label="Gate 2", actor=cast.organizer)


def link_id_of(cast: Cast) -> str:
    link = ScannerLink.objects.filter(event=cast.event).first()
    return link.pk if link else "L0"


def certified(cast: Cast) -> None:
    attended(cast)
    certificate_issue(event=cast.event, enrollment_no=cast.student.pk)


def team_mode(cast: Cast) -> None:
    Event.objects.filter(pk=cast.event.pk).update(registration_mode="team", team_size_min=2, team_size_max=3)


def a_team_led_by_self(cast: Cast) -> None:
    """A forming team (minimum 3) led by the student: one member accepted, one invitation open."""
    Event.objects.filter(pk=cast.event.pk).update(registration_mode="team", team_size_min=3, team_size_max=4)
    member, invited = StudentUserFactory(), StudentUserFactory()
    team = team_create(event=cast.event, team_name="Alpha", invite=[member.pk, invited.pk], actor=cast.student.user)
    team_invitation_accept(team=team, actor=member.user)
    cast.team_id, cast.member = team.pk, member.pk


def a_team_inviting_self(cast: Cast) -> None:
    """A forming team led by someone else that invited the student."""
    team_mode(cast)
    leader = StudentUserFactory()
    team = team_create(event=cast.event, team_name="Beta", invite=[cast.student.pk], actor=leader.user)
    cast.team_id, cast.join_code = team.pk, team.join_code


def a_team_with_self(cast: Cast) -> None:
    """A confirmed team of three led by someone else, the student one of its members."""
    team_mode(cast)
    leader, member = StudentUserFactory(), StudentUserFactory()
    team = team_create(event=cast.event, team_name="Gamma", invite=[cast.student.pk, member.pk], actor=leader.user)
    team_invitation_accept(team=team, actor=cast.student.user)
    team_invitation_accept(team=team, actor=member.user)
    cast.team_id = team.pk


def team_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda c: f"/api/v2/teams/{getattr(c, 'team_id', 'T0')}{suffix}"


def team_insiders(status: int, *, organizers: int | None = None) -> dict[str, int]:
    """The team's leader or member (self) and the event's organizers; to anyone else the team does not exist."""
    seen_by_organizers = status if organizers is None else organizers
    return {
        "anonymous": 401,
        "self": status,
        "other_student": 404,
        "organizer": seen_by_organizers,
        "other_organizer": 404,
        "staff": seen_by_organizers,
    }


def students_only(status: int, *, other_student: int) -> dict[str, int]:
    """Consent is personal: only students answer invitations; organizers and staff are refused."""
    return {
        "anonymous": 401,
        "self": status,
        "other_student": other_student,
        "organizer": 403,
        "other_organizer": 403,
        "staff": 403,
    }


def awaiting_approval(cast: Cast) -> None:
    Event.objects.filter(pk=cast.event.pk).update(status=Event.Status.PENDING_APPROVAL)


def pending(cast: Cast) -> None:
    """The event needs approval and the student's registration waits for it."""
    Event.objects.filter(pk=cast.event.pk).update(approval_required=True)
    registration_create(event=cast.event.pk, enrollment_no=cast.student.pk, actor=cast.student.user)


def invite_only(cast: Cast) -> None:
    Event.objects.filter(pk=cast.event.pk).update(access_code_required=True)


def pending_id(cast: Cast) -> str:
    registration = Registration.objects.filter(event=cast.event).first()
    return registration.pk if registration else "R0"


def a_club(cast: Cast) -> None:
    """A club owned by the event's organizer; the other organizer runs another club."""
    club_create(club_id="coding-club", name="Coding Club", owners=[cast.organizer.username])
    club_create(club_id="music-club", name="Music Club", owners=[cast.other_organizer.username])


def club_members_only(status: int) -> dict[str, int]:
    """The club's owner (the organizer) and staff; to anyone else the club does not exist."""
    return {role: 401 if role == "anonymous" else status if role in ORGANIZER else 404 for role in ROLES}


def a_club_template(cast: Cast) -> None:
    """The coding club's template, designed by its owner (the event's organizer)."""
    a_club(cast)
    certificate_template_create(
        club=Club.objects.get(pk="coding-club"), name="Winners", institution="GCE", actor=cast.organizer
    )


def template_path(cast: Cast) -> str:
    template = CertificateTemplate.objects.first()
    return f"/api/v2/certificate-templates/{template.pk if template else 0}/"


def a_login(cast: Cast) -> dict:
    UserFactory(username="someone")
    return {"username": "someone", "password": "correct-horse-battery"}


@dataclass
class Endpoint:
    method: str
    path: Callable[[Cast], str]
    expected: dict[str, int]
    body: Callable[[Cast], dict] = lambda cast: {}
    setup: Callable[[Cast], None] = lambda cast: None
    name: str = field(default="")
    format: str = "json"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: set[str], status: int) -> dict[str, int]:
    return {role: 401 if role == "anonymous" else status if role in allowed else 403 for role in ROLES}


SELF_OR_ORGANIZER = {"self", "organizer", "staff"}
ORGANIZER = {"organizer", "staff"}
SELF_OR_STAFF = {"self", "staff"}
STAFF = {"staff"}

ENDPOINTS = {
    "team": Endpoint("get", team_path(), team_insiders(200), setup=a_team_led_by_self),
    "team-rename": Endpoint(
        "patch", team_path(), team_insiders(200), body=lambda c: {"team_name": "Renamed"}, setup=a_team_led_by_self
    ),
    "team-invite": Endpoint(
        "post",
        team_path("/invite"),
        team_insiders(200),
        body=lambda c: {"enrollment_nos": [StudentFactory().pk]},
        setup=a_team_led_by_self,
    ),
    "team-remove": Endpoint(
        "post",
        team_path("/remove"),
        team_insiders(200),
        body=lambda c: {"enrollment_no": c.member},
        setup=a_team_led_by_self,
    ),
    "team-transfer": Endpoint(
        "post",
        team_path("/transfer"),
        team_insiders(200),
        body=lambda c: {"enrollment_no": c.member},
        setup=a_team_led_by_self,
    ),
    "team-cancel": Endpoint("post", team_path("/cancel"), team_insiders(200), setup=a_team_led_by_self),
    "team-leave": Endpoint("post", team_path("/leave"), team_insiders(200, organizers=403), setup=a_team_with_self),
    "team-accept": Endpoint(
        "post", team_path("/accept"), students_only(200, other_student=409), setup=a_team_inviting_self
    ),
    "team-decline": Endpoint(
        "post", team_path("/decline"), students_only(200, other_student=409), setup=a_team_inviting_self
    ),
    "team-join": Endpoint(
        "post",
        lambda c: f"/api/v2/teams/join/{c.event.pk}",
        students_only(200, other_student=200),
        body=lambda c: {"join_code": c.join_code},
        setup=a_team_inviting_self,
    ),
    "auth-token": Endpoint("post", lambda c: "/api/v2/auth/token/", everyone(200), body=a_login),
    "auth-signup": Endpoint(
        "post",
        lambda c: "/api/v2/auth/signup/",
        everyone(201),
        body=lambda c: {
            "enrollment_no": "24IT55555",
            "full_name": "New Student",
            "email": "new.student@college.example",
            "password": "a-long-pass-phrase",
        },
    ),
    "events-list": Endpoint("get", lambda c: "/api/v2/events/", everyone(200)),
    "events-create": Endpoint(
        "post",
        lambda c: "/api/v2/events/",
        only(STAFF, 201),
        body=lambda c: {
            "event_id": "new-event",
            "title": "New",
            "starts_at": "2027-01-01T10:00:00Z",
            "ends_at": "2027-01-01T18:00:00Z",
        },
    ),
    "events-detail": Endpoint("get", lambda c: f"/api/v2/events/{c.event.pk}/", everyone(200)),
    "events-patch": Endpoint(
        "patch", lambda c: f"/api/v2/events/{c.event.pk}/", only(ORGANIZER, 200), body=lambda c: {"venue": "Hall B"}
    ),
    "events-poster-set": Endpoint(
        "post",
        lambda c: f"/api/v2/events/{c.event.pk}/poster",
        only(ORGANIZER, 200),
        body=a_poster_upload,
        format="multipart",
    ),
    "events-poster-remove": Endpoint(
        "delete", lambda c: f"/api/v2/events/{c.event.pk}/poster", only(ORGANIZER, 204), setup=a_poster
    ),
    "events-publish": Endpoint("post", lambda c: f"/api/v2/events/{c.event.pk}/publish", only(ORGANIZER, 200)),
    "events-approve": Endpoint(
        "post",
        lambda c: f"/api/v2/events/{c.event.pk}/approve",
        dict.fromkeys(ROLES, 404) | {"anonymous": 401, "organizer": 403, "staff": 200},
        setup=awaiting_approval,
    ),
    "events-cancel": Endpoint(
        "post",
        lambda c: f"/api/v2/events/{c.event.pk}/cancel",
        only(ORGANIZER, 200),
        body=lambda c: {"reason": "The hall is flooded."},
    ),
    "register-individual": Endpoint(
        "post",
        lambda c: f"/api/v2/register/individual/{c.event.pk}",
        only(SELF_OR_ORGANIZER, 201),
        body=lambda c: {"enrollment_no": c.student.pk},
    ),
    "register-team": Endpoint(
        "post",
        lambda c: f"/api/v2/register/team/{c.event.pk}",
        only(SELF_OR_ORGANIZER, 201),
        body=lambda c: {"team_name": "Alpha", "leader": c.student.pk, "members": [StudentFactory().pk]},
        setup=team_mode,
    ),
    "register-cancel": Endpoint(
        "post",
        lambda c: f"/api/v2/register/cancel/{c.event.pk}",
        only(SELF_OR_ORGANIZER, 200),
        body=lambda c: {"enrollment_no": c.student.pk},
        setup=registered,
    ),
    "attendance-mark": Endpoint(
        "post",
        lambda c: f"/api/v2/attendance/mark/{c.event.pk}",
        only(ORGANIZER, 201),
        body=lambda c: {"enrollment_no": c.student.pk},
        setup=registered,
    ),
    "access-codes-list": Endpoint(
        "get", lambda c: f"/api/v2/events/{c.event.pk}/access-codes", only(ORGANIZER, 200), setup=invite_only
    ),
    "access-codes-create": Endpoint(
        "post",
        lambda c: f"/api/v2/events/{c.event.pk}/access-codes",
        only(ORGANIZER, 201),
        body=lambda c: {"count": 2, "max_uses": 1},
        setup=invite_only,
    ),
    "registration-approve": Endpoint(
        "post",
        lambda c: f"/api/v2/registrations/{pending_id(c)}/approve",
        only(ORGANIZER, 200),
        setup=pending,
    ),
    "registration-reject": Endpoint(
        "post",
        lambda c: f"/api/v2/registrations/{pending_id(c)}/reject",
        only(ORGANIZER, 200),
        body=lambda c: {"reason": "Seats are for finalists."},
        setup=pending,
    ),
    "scanner-links-list": Endpoint(
        "get", lambda c: f"/api/v2/events/{c.event.pk}/scanner-links", only(ORGANIZER, 200), setup=a_scanner_link
    ),
    "scanner-links-create": Endpoint(
        "post",
        lambda c: f"/api/v2/events/{c.event.pk}/scanner-links",
        only(ORGANIZER, 201),
        body=lambda c: {"label": "Gate 2"},
    ),
    "scanner-link-revoke": Endpoint(
        "delete",
        lambda c: f"/api/v2/events/{c.event.pk}/scanner-links/{link_id_of(c)}",
        only(ORGANIZER, 200),
        setup=a_scanner_link,
    ),
    "roster": Endpoint("get", lambda c: f"/api/v2/events/{c.event.pk}/roster/", only(ORGANIZER, 200), setup=registered),
    "checkin-roster": Endpoint(
        "get", lambda c: f"/api/v2/events/{c.event.pk}/checkin-roster", only(ORGANIZER, 200), setup=registered
    ),
    "event-roster": Endpoint(
        "get", lambda c: f"/api/v2/events/{c.event.pk}/roster/", only(ORGANIZER, 200), setup=pending
    ),
    "attendance-batch": Endpoint(
        "post",
        lambda c: f"/api/v2/attendance/batch/{c.event.pk}",
        only(ORGANIZER, 200),
        body=lambda c: {
            "scans": [{"scan_id": "s1", "enrollment_no": c.student.pk, "scanned_at": timezone.now().isoformat()}]
        },
        setup=registered,
    ),
    "feedback-submit": Endpoint(
        "post",
        lambda c: f"/api/v2/feedback/submit/{c.event.pk}",
        only(SELF_OR_ORGANIZER, 201),
        body=lambda c: {"enrollment_no": c.student.pk, "rating": 5},
        setup=attended,
    ),
    "certificate-issue": Endpoint(
        "post",
        lambda c: f"/api/v2/certificate/issue/{c.event.pk}",
        only(ORGANIZER, 201),
        body=lambda c: {"enrollment_no": c.student.pk},
        setup=attended,
    ),
    "certificate-revoke": Endpoint(
        "post",
        lambda c: f"/api/v2/certificate/revoke/{c.event.pk}",
        only(ORGANIZER, 200),
        body=lambda c: {"enrollment_no": c.student.pk, "reason": "Issued in error"},
        setup=certified,
    ),
    "status": Endpoint("get", lambda c: f"/api/v2/status/{c.event.pk}", only(ORGANIZER, 200)),
    "lookup": Endpoint(
        "get",
        lambda c: f"/api/v2/lookup/enrollment/{c.student.pk}/event/{c.event.pk}",
        only(SELF_OR_ORGANIZER, 200),
        setup=registered,
    ),
    "analytics": Endpoint("get", lambda c: f"/api/v2/analytics/{c.event.pk}", only(ORGANIZER, 200)),
    "student-history": Endpoint(
        "get", lambda c: f"/api/v2/students/{c.student.pk}/history", only(SELF_OR_STAFF, 200), setup=registered
    ),
    "student-detail": Endpoint("get", lambda c: f"/api/v2/students/{c.student.pk}/", only(SELF_OR_STAFF, 200)),
    "students-list": Endpoint("get", lambda c: "/api/v2/students/", only(STAFF, 200)),
    "announcements-list": Endpoint("get", lambda c: f"/api/v2/events/{c.event.pk}/announcements", only(ORGANIZER, 200)),
    "announcements-create": Endpoint(
        "post",
        lambda c: f"/api/v2/events/{c.event.pk}/announcements",
        only(ORGANIZER, 202),
        body=lambda c: {"subject": "Room change", "body": "Lab 3.", "audience": "all"},
    ),
    "email-preferences-read": Endpoint(
        "get", lambda c: "/api/v2/me/email-preferences", only({"self", "other_student"}, 200)
    ),
    "email-preferences-set": Endpoint(
        "post",
        lambda c: "/api/v2/me/email-preferences",
        only({"self", "other_student"}, 200),
        body=lambda c: {"reminders": False},
    ),
    "certificate-templates-list": Endpoint(
        "get", lambda c: "/api/v2/certificate-templates/", only(set(ROLES), 200), setup=a_club_template
    ),
    "certificate-templates-create": Endpoint(
        "post",
        lambda c: "/api/v2/certificate-templates/",
        only(ORGANIZER, 201),
        body=lambda c: {"club": "coding-club", "name": "Winners", "institution": "GCE"},
        setup=a_club,
    ),
    "certificate-template-detail": Endpoint("get", template_path, club_members_only(200), setup=a_club_template),
    "certificate-template-patch": Endpoint(
        "patch", template_path, club_members_only(200), body=lambda c: {"name": "Finalists"}, setup=a_club_template
    ),
    "clubs-list": Endpoint("get", lambda c: "/api/v2/clubs/", only(set(ROLES), 200), setup=a_club),
    "clubs-create": Endpoint(
        "post", lambda c: "/api/v2/clubs/", only(STAFF, 201), body=lambda c: {"club_id": "robotics", "name": "Robotics"}
    ),
    "club-detail": Endpoint("get", lambda c: "/api/v2/clubs/coding-club/", club_members_only(200), setup=a_club),
    "club-patch": Endpoint(
        "patch",
        lambda c: "/api/v2/clubs/coding-club/",
        club_members_only(200),
        body=lambda c: {"name": "The Coding Club"},
        setup=a_club,
    ),
    "club-members-add": Endpoint(
        "post",
        lambda c: "/api/v2/clubs/coding-club/members",
        club_members_only(201),
        body=lambda c: {"username": c.other_student.user.username, "role": "organizer"},
        setup=a_club,
    ),
    "club-member-remove": Endpoint(
        "delete",
        lambda c: f"/api/v2/clubs/coding-club/members/{c.other_student.user.username}",
        club_members_only(200) | {"other_student": 200},
        setup=lambda c: (
            a_club(c),
            club_member_set(
                club=Club.objects.get(pk="coding-club"), username=c.other_student.user.username, role="organizer"
            ),
        ),
    ),
    "certificate-verify": Endpoint(
        "get",
        lambda c: f"/api/v2/certificates/{c.event.certificates[c.student.pk]}/verify",
        everyone(200),
        setup=certified,
    ),
}

ERROR_CODES = {401: "NOT_AUTHENTICATED", 403: "PERMISSION_DENIED"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint_name", ENDPOINTS)
def test_each_role_gets_the_status_api_md_gives_it(cast, client_for, endpoint_name, role):
    endpoint = ENDPOINTS[endpoint_name]
    endpoint.setup(cast)
    client = client_for(cast.user(role))

    response = getattr(client, endpoint.method)(endpoint.path(cast), endpoint.body(cast), format=endpoint.format)

    expected = endpoint.expected[role]
    assert response.status_code == expected, response.content
    if expected in ERROR_CODES:
        assert error_of(response)["code"] == ERROR_CODES[expected]


def test_the_table_covers_every_operation_of_the_api(cast):
    operations = {
        (pattern.pattern._route, method)
        for pattern in api_urlpatterns
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(pattern.callback.view_class, method)
    }
    certified(cast)
    tabled = {
        (resolve(endpoint.path(cast)).route.removeprefix("api/v2/"), endpoint.method) for endpoint in ENDPOINTS.values()
    }

    assert tabled == operations


def test_a_browser_session_must_send_the_csrf_token(cast):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(cast.student.user)
    url = f"/api/v2/register/individual/{cast.event.pk}"
    csrf_secret = "k" * 32
    browser.cookies["csrftoken"] = csrf_secret

    refused = browser.post(url, {}, format="json")
    accepted = browser.post(url, {}, format="json", HTTP_X_CSRFTOKEN=csrf_secret)

    assert refused.status_code == 403
    assert error_of(refused)["code"] == "PERMISSION_DENIED"
    assert "CSRF" in error_of(refused)["message"]
    assert accepted.status_code == 201
