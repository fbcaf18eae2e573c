"""JSON views of teams as students form them: the team, invitations, join codes, leaving, leaders.

Each view validates the body's shape, calls one service of ``registrations.teams`` (which
holds every rule and every permission) and shapes the answer.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import EVENT_ID_PARAMETER
from eventsite.errors import NotFound
from eventsite.schema import NO_INPUT, errors
from eventsite.serializers import Serializer, validated
from eventsite.text import single_line_text
from registrations.api import ANSWERS_HELP, CancelOutputSerializer
from registrations.models import Team, TeamMembership, TeamStatus
from registrations.selectors import team_get_visible, team_members, team_membership_state, team_registrations_of
from registrations.teams import (
    team_cancel,
    team_invitation_accept,
    team_invitation_decline,
    team_invite,
    team_join_by_code,
    team_leader_transfer,
    team_leave,
    team_member_remove,
    team_rename,
)

TEAM_ID_PARAMETER = OpenApiParameter("team_id", str, OpenApiParameter.PATH, description="The team's id.")
TEAM_CHANGE_CONFLICTS = ("TEAM_LOCKED", "EVENT_CANCELLED")
# Joining a team, by invitation or by join code, is refused for the same reasons.
TEAM_JOIN_CONFLICTS = ("INVITATION_NOT_FOUND", "ALREADY_REGISTERED", "EVENT_FULL", "TEAM_SIZE", *TEAM_CHANGE_CONFLICTS)


def team_json(team: Team, user) -> dict:
    """The team as its members and the event's organizers see it; the join code only for members."""
    members = team_members(team)
    own = getattr(user, "student", None)
    state = team_membership_state(team, own.enrollment_no if own else None)
    is_member = state in (TeamMembership.State.LEADER, TeamMembership.State.ACCEPTED)
    return {
        "team_id": team.pk,
        "team_name": team.name,
        "event_id": team.event_id,
        "status": team.status,
        "leader": team.leader_id,
        "members": {member.enrollment_no: member.state for member in members},
        "member_details": [
            {
                "enrollment_no": member.enrollment_no,
                "full_name": member.full_name,
                "state": member.state,
                "registration_status": member.registration_status,
            }
            for member in members
        ],
        "registrations": team_registrations_of(team),
        "join_code": team.join_code if is_member and team.status != TeamStatus.CANCELLED else None,
    }


class TeamMemberSerializer(Serializer):
    enrollment_no = serializers.CharField()
    full_name = serializers.CharField()
    state = serializers.ChoiceField(choices=["leader", "accepted", "pending", "declined"])
    registration_status = serializers.CharField(
        allow_null=True, help_text="confirmed or waitlisted while the member holds a place; else null."
    )


class TeamDetailOutputSerializer(Serializer):
    team_id = serializers.CharField()
    team_name = serializers.CharField()
    event_id = serializers.CharField()
    status = serializers.ChoiceField(choices=TeamStatus.choices)
    leader = serializers.CharField(help_text="The leader's enrollment number.")
    members = serializers.DictField(
        child=serializers.CharField(), help_text="enrollment_no -> leader, accepted, pending or declined."
    )
    member_details = TeamMemberSerializer(many=True, help_text="The same, with names and places; leader first.")
    registrations = serializers.DictField(
        child=serializers.CharField(), help_text="enrollment_no -> registration_id of members holding a place."
    )
    join_code = serializers.CharField(allow_null=True, help_text="Only for the team's members.")


def _team_response(request: Request, team: Team) -> Response:
    """The answer of the team views that give back the team: it as the request's user sees it."""
    return Response(TeamDetailOutputSerializer(team_json(team, request.user)).data)


class TeamRenameInputSerializer(Serializer):
    team_name = serializers.CharField(max_length=200, validators=[single_line_text])


class TeamDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_retrieve",
        summary="A team, its members and their states (its members, invited students, the event's organizers)",
        description="Anyone else gets 404: a team's members are no one else's to read.",
        parameters=[TEAM_ID_PARAMETER],
        responses={200: TeamDetailOutputSerializer, **errors(404)},
    )
    def get(self, request: Request, team_id: str) -> Response:
        return _team_response(request, team_get_visible(request.user, team_id))

    @extend_schema(
        operation_id="teams_partial_update",
        summary="Rename the team (its leader or an organizer)",
        parameters=[TEAM_ID_PARAMETER],
        request=TeamRenameInputSerializer,
        responses={
            200: TeamDetailOutputSerializer,
            **errors(403, conflicts=("TEAM_NAME_TAKEN", *TEAM_CHANGE_CONFLICTS)),
        },
    )
    def patch(self, request: Request, team_id: str) -> Response:
        team = team_get_visible(request.user, team_id)
        given = validated(TeamRenameInputSerializer, request.data)
        team = team_rename(team=team, team_name=given["team_name"], actor=request.user)
        return _team_response(request, team)


class AnswersInputSerializer(Serializer):
    answers = serializers.JSONField(required=False, help_text=ANSWERS_HELP)


class JoinInputSerializer(AnswersInputSerializer):
    join_code = serializers.CharField(max_length=32, help_text="The code a member of the team shared.")


class EnrollmentNoInputSerializer(Serializer):
    enrollment_no = serializers.CharField(max_length=32)


class InviteInputSerializer(Serializer):
    enrollment_nos = serializers.ListField(child=serializers.CharField(max_length=32), min_length=1, max_length=20)


class InviteOutputSerializer(Serializer):
    invited = serializers.ListField(child=serializers.CharField(), help_text="Enrollment numbers invited now.")
    team = TeamDetailOutputSerializer()


class TeamCancelOutputSerializer(CancelOutputSerializer):
    cancelled = serializers.ListField(child=serializers.CharField(), help_text="Registration ids cancelled.")
    team = TeamDetailOutputSerializer(allow_null=True, help_text="The team now; null for someone no longer in it.")


def _after_change(request: Request, team: Team, result) -> Response:
    team.refresh_from_db()
    try:
        visible = team_json(team_get_visible(request.user, team.pk), request.user)
    except NotFound:  # whoever just left no longer sees the team
        visible = None
    return Response(
        TeamCancelOutputSerializer({"cancelled": result.cancelled, "promoted": result.promoted, "team": visible}).data
    )


class TeamAcceptApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_accept_create",
        summary="Accept an invitation (the invited student), answering the event's questions",
        description="A forming team that reaches its minimum takes its seats now: confirmed if all fit, else "
        "waitlisted whole. A team holding seats gives the new member one of the same kind.",
        parameters=[TEAM_ID_PARAMETER],
        request=AnswersInputSerializer,
        responses={
            200: TeamDetailOutputSerializer,
            **errors(403, conflicts=TEAM_JOIN_CONFLICTS),
        },
    )
    def post(self, request: Request, team_id: str) -> Response:
        given = validated(AnswersInputSerializer, request.data)
        team = team_invitation_accept(team=team_id, answers=given.get("answers"), actor=request.user)
        team.refresh_from_db()
        return _team_response(request, team)


class DeclineOutputSerializer(Serializer):
    team_id = serializers.CharField()
    declined = serializers.BooleanField()


class TeamDeclineApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_decline_create",
        summary="Decline an invitation (the invited student)",
        parameters=[TEAM_ID_PARAMETER],
        request=NO_INPUT,
        responses={200: DeclineOutputSerializer, **errors(403, conflicts=("INVITATION_NOT_FOUND",))},
    )
    def post(self, request: Request, team_id: str) -> Response:
        team = team_invitation_decline(team=team_id, actor=request.user)
        return Response(DeclineOutputSerializer({"team_id": team.pk, "declined": True}).data)


class TeamJoinApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_join_create",
        summary="Join a team of the event with the join code a member shared",
        parameters=[EVENT_ID_PARAMETER],
        request=JoinInputSerializer,
        responses={
            200: TeamDetailOutputSerializer,
            **errors(403, conflicts=TEAM_JOIN_CONFLICTS),
        },
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = validated(JoinInputSerializer, request.data)
        team = team_join_by_code(
            event=event_id,
            join_code=given["join_code"],
            answers=given.get("answers"),
            actor=request.user,
        )
        team.refresh_from_db()
        return _team_response(request, team)


class TeamInviteApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_invite_create",
        summary="Invite students to the team (its leader or an organizer); each gets an email",
        parameters=[TEAM_ID_PARAMETER],
        request=InviteInputSerializer,
        responses={
            200: InviteOutputSerializer,
            **errors(403, conflicts=("ALREADY_REGISTERED", "TEAM_SIZE", *TEAM_CHANGE_CONFLICTS)),
        },
    )
    def post(self, request: Request, team_id: str) -> Response:
        team = team_get_visible(request.user, team_id)
        given = validated(InviteInputSerializer, request.data)
        invited = team_invite(team=team, enrollment_nos=given["enrollment_nos"], actor=request.user)
        team.refresh_from_db()
        return Response(InviteOutputSerializer({"invited": invited, "team": team_json(team, request.user)}).data)


class TeamLeaveApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_leave_create",
        summary="Leave the team (a member; the leader hands over first)",
        description="A team left below its minimum goes back to forming and its seats go to the waitlist.",
        parameters=[TEAM_ID_PARAMETER],
        request=NO_INPUT,
        responses={200: TeamCancelOutputSerializer, **errors(403, conflicts=TEAM_CHANGE_CONFLICTS)},
    )
    def post(self, request: Request, team_id: str) -> Response:
        team = team_get_visible(request.user, team_id)
        return _after_change(request, team, team_leave(team=team, actor=request.user))


class TeamRemoveApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_remove_create",
        summary="Remove a member or withdraw an invitation (the leader or an organizer)",
        parameters=[TEAM_ID_PARAMETER],
        request=EnrollmentNoInputSerializer,
        responses={200: TeamCancelOutputSerializer, **errors(403, conflicts=TEAM_CHANGE_CONFLICTS)},
    )
    def post(self, request: Request, team_id: str) -> Response:
        team = team_get_visible(request.user, team_id)
        given = validated(EnrollmentNoInputSerializer, request.data)
        result = team_member_remove(team=team, enrollment_no=given["enrollment_no"], actor=request.user)
        return _after_change(request, team, result)


class TeamTransferApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_transfer_create",
        summary="Hand the team over to an accepted member (the leader or an organizer)",
        parameters=[TEAM_ID_PARAMETER],
        request=EnrollmentNoInputSerializer,
        responses={200: TeamDetailOutputSerializer, **errors(403, conflicts=TEAM_CHANGE_CONFLICTS)},
    )
    def post(self, request: Request, team_id: str) -> Response:
        team = team_get_visible(request.user, team_id)
        given = validated(EnrollmentNoInputSerializer, request.data)
        team = team_leader_transfer(team=team, enrollment_no=given["enrollment_no"], actor=request.user)
        return _team_response(request, team)


class TeamCancelApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="teams_cancel_create",
        summary="Cancel the whole team (its leader or an organizer); allowed after registration closes",
        parameters=[TEAM_ID_PARAMETER],
        request=NO_INPUT,
        responses={200: TeamCancelOutputSerializer, **errors(403, conflicts=("REGISTRATION_CLOSED",))},
    )
    def post(self, request: Request, team_id: str) -> Response:
        team = team_get_visible(request.user, team_id)
        return _after_change(request, team, team_cancel(team=team, actor=request.user))
