"""JSON views of clubs and their members (API.md, "Clubs")."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clubs.models import Club, ClubMembership
from clubs.selectors import club_get, club_get_visible, club_list_visible
from clubs.services import club_create, club_member_remove, club_member_set, club_update
from eventsite.errors import PermissionDenied
from eventsite.pagination import PAGE_PARAMETERS, paginated, paginated_response
from eventsite.schema import SLUG_PATTERN, errors
from eventsite.serializers import Serializer, validated

CLUB_ID_PARAMETER = OpenApiParameter(
    "club_id",
    str,
    OpenApiParameter.PATH,
    description="The club's slug.",
    pattern=SLUG_PATTERN,
    examples=[OpenApiExample("A club", value="coding-club")],
)
USERNAME_PARAMETER = OpenApiParameter("username", str, OpenApiParameter.PATH, description="The member's username.")


class MemberSerializer(Serializer):
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(choices=ClubMembership.Role.choices)


class ClubOutputSerializer(Serializer):
    club_id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Club.Kind.choices)
    department = serializers.CharField(help_text="The department it belongs to (e.g. CSE); empty: college-wide.")
    contact_email = serializers.CharField(help_text="Shown on its events' pages; empty: none.")
    members = MemberSerializer(source="memberships", many=True, help_text="Owners first, then organizers.")


class ClubUpdateInputSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Club.Kind.choices, required=False)
    department = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="As students' departments are written, e.g. CSE."
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True)


class ClubCreateInputSerializer(ClubUpdateInputSerializer):
    club_id = serializers.SlugField(max_length=64, help_text="The club's slug, e.g. coding-club.")
    owners = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, max_length=50, help_text="Usernames."
    )


class MemberInputSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=ClubMembership.Role.choices)


def _club_body(club_id: str, request: Request) -> dict:
    return ClubOutputSerializer(club_get_visible(club_id, request.user)).data


class ClubListCreateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="clubs_list",
        summary="Clubs (members see theirs, staff all)",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ClubOutputSerializer), **errors(404)},
    )
    def get(self, request: Request) -> Response:
        clubs = club_list_visible(request.user)
        return paginated_response(queryset=clubs, serializer_class=ClubOutputSerializer, request=request, view=self)

    @extend_schema(
        operation_id="clubs_create",
        summary="Create a club (staff)",
        request=ClubCreateInputSerializer,
        responses={201: ClubOutputSerializer, **errors(403, conflicts=("ALREADY_EXISTS",))},
    )
    def post(self, request: Request) -> Response:
        if not request.user.is_staff:
            raise PermissionDenied("Only staff can create clubs.")
        given = validated(ClubCreateInputSerializer, request.data)
        club = club_create(actor=request.user, **given)
        return Response(_club_body(club.pk, request), status=status.HTTP_201_CREATED)


class ClubDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="clubs_retrieve",
        summary="One club and its members (its members and staff)",
        parameters=[CLUB_ID_PARAMETER],
        responses={200: ClubOutputSerializer},
    )
    def get(self, request: Request, club_id: str) -> Response:
        return Response(_club_body(club_id, request))

    @extend_schema(
        operation_id="clubs_partial_update",
        summary="Rename a club or change its kind (its owners and staff)",
        parameters=[CLUB_ID_PARAMETER],
        request=ClubUpdateInputSerializer(partial=True),
        responses={200: ClubOutputSerializer, **errors(403)},
    )
    def patch(self, request: Request, club_id: str) -> Response:
        club = club_get_visible(club_id, request.user)
        given = validated(ClubUpdateInputSerializer, request.data, partial=True)
        club_update(club=club, actor=request.user, **given)
        return Response(_club_body(club_id, request))


class ClubMembersApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="clubs_members_create",
        summary="Add a member or change a member's role (owners and staff)",
        parameters=[CLUB_ID_PARAMETER],
        request=MemberInputSerializer,
        responses={201: ClubOutputSerializer, 200: ClubOutputSerializer, **errors(403)},
    )
    def post(self, request: Request, club_id: str) -> Response:
        club = club_get_visible(club_id, request.user)
        given = validated(MemberInputSerializer, request.data)
        was_member = club.memberships.filter(user__username=given["username"]).exists()
        club_member_set(club=club, actor=request.user, **given)
        return Response(
            _club_body(club_id, request), status=status.HTTP_200_OK if was_member else status.HTTP_201_CREATED
        )


class ClubMemberApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="clubs_members_destroy",
        summary="Take a member out of the club (owners and staff; the last owner stays)",
        parameters=[CLUB_ID_PARAMETER, USERNAME_PARAMETER],
        responses={200: ClubOutputSerializer, **errors(400, 403)},
    )
    def delete(self, request: Request, club_id: str, username: str) -> Response:
        club = club_get_visible(club_id, request.user)
        club_member_remove(club=club, username=username, actor=request.user)
        # A member who has just left no longer sees the club, but is told what it now is.
        return Response(ClubOutputSerializer(club_get(club_id)).data)
