"""JSON views of logins, students, registrations, teams, attendance, feedback and the organizers' roster.

A student acts only for themselves (``enrollment_no`` may be omitted: it defaults to
theirs); an organizer of the event, or staff, acts for anyone. The services enforce it.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import EVENT_ID_PARAMETER
from events.selectors import event_get, event_is_visible_to, event_sessions
from eventsite.clients import PeerScopedRateThrottle
from eventsite.errors import NotFound, PermissionDenied, ValidationFailed
from eventsite.pagination import PAGE_PARAMETERS, ApiPagination, paginated, paginated_response
from eventsite.schema import CODE_PATTERN, NO_INPUT, errors
from eventsite.serializers import Serializer, validated
from eventsite.text import multiline_text, single_line_text
from registrations.models import Attendance, Feedback, RegistrationStatus, Student, TeamStatus
from registrations.selectors import (
    access_code_list,
    roster_registrations,
    roster_rows_of,
    student_list,
    student_visible_to,
    team_members,
    team_registrations_of,
    waitlist_position,
)
from registrations.services import (
    ACCESS_CODE_USES_MAX,
    ACCESS_CODES_PER_REQUEST_MAX,
    REJECTION_REASON_MAX,
    access_codes_generate,
    attendance_mark,
    enrollment_no_normalize,
    feedback_submit,
    login_token_issue,
    registration_approve,
    registration_cancel,
    registration_create,
    registration_reject,
    student_get,
    student_signup,
)
from registrations.teams import team_register_or_create

ENROLLMENT_NO_PARAMETER = OpenApiParameter(
    "enrollment_no",
    str,
    OpenApiParameter.PATH,
    description="The student's enrollment number (case does not matter).",
    pattern=CODE_PATTERN,
    examples=[OpenApiExample("A student", value="22CSE30001")],
)
ENROLLMENT_NO_HELP = "Defaults to the logged-in student's own; required when an organizer acts."
REGISTER_CONFLICTS = (
    "ALREADY_REGISTERED",
    "PENDING_APPROVAL",
    "AUDIENCE_RESTRICTED",
    "ACCESS_CODE_INVALID",
    "EVENT_FULL",
    "REGISTRATION_CLOSED",
    "WRONG_REGISTRATION_MODE",
    "EVENT_CANCELLED",
)


def enrollment_no_or_own(request: Request, given: str | None, *, field_name: str = "enrollment_no") -> str:
    """The enrollment number the request names, else the logged-in student's own."""
    if given:
        return given
    own = getattr(request.user, "student", None)
    if own is None:
        raise ValidationFailed.for_field(field_name, "Give the student's enrollment number.")
    return own.enrollment_no


def enrollment_no_in_path(raw: str) -> str:
    """An enrollment number from a URL: one that cannot exist is simply not found."""
    try:
        return enrollment_no_normalize(raw)
    except ValidationFailed:
        raise NotFound.of("student", raw) from None


# Logins


class LoginInputSerializer(Serializer):
    username = serializers.CharField(max_length=150, help_text="A student's username is their enrollment number.")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class LoginOutputSerializer(Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    username = serializers.CharField()
    enrollment_no = serializers.CharField(allow_null=True, help_text="Null for a login that is not a student's.")
    is_staff = serializers.BooleanField()


class AuthTokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PeerScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_token_create",
        summary="Exchange a username and password for an API token",
        request=LoginInputSerializer,
        responses={200: LoginOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        given = validated(LoginInputSerializer, request.data)
        user, token = login_token_issue(**given, request=request._request)
        student = getattr(user, "student", None)
        return Response(
            LoginOutputSerializer(
                {
                    "token": token,
                    "username": user.username,
                    "enrollment_no": student.enrollment_no if student else None,
                    "is_staff": user.is_staff,
                }
            ).data
        )


class StudentOutputSerializer(Serializer):
    enrollment_no = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    department = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    phone = serializers.CharField()


class SignupInputSerializer(Serializer):
    enrollment_no = serializers.CharField(max_length=32)
    full_name = serializers.CharField(max_length=150, validators=[single_line_text])
    email = serializers.EmailField(max_length=254)
    department = serializers.CharField(max_length=20, required=False, allow_blank=True, validators=[single_line_text])
    year = serializers.IntegerField(min_value=1, max_value=6, required=False, allow_null=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class SignupOutputSerializer(StudentOutputSerializer):
    verification_sent = serializers.SerializerMethodField(
        help_text="True: the login works once the link emailed to the address is followed."
    )

    def get_verification_sent(self, student) -> bool:
        return not student.user.is_active


class SignupApi(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PeerScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_signup_create",
        summary="Create a student and their login (or attach a login to an imported student)",
        description="With SIGNUP_EMAIL_VERIFICATION on (the default) the login works once the link emailed to "
        "the address is followed; until then the token endpoint answers as for a wrong password.",
        request=SignupInputSerializer,
        responses={201: SignupOutputSerializer, **errors(conflicts=("ALREADY_EXISTS",))},
    )
    def post(self, request: Request) -> Response:
        given = validated(SignupInputSerializer, request.data)
        student = student_signup(**given)
        return Response(SignupOutputSerializer(student).data, status=status.HTTP_201_CREATED)


# Students


class StudentListFilterSerializer(Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Enrollment number, name, email or department."
    )


class StudentListApi(APIView):
    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        operation_id="students_list",
        summary="Students (staff)",
        parameters=[StudentListFilterSerializer, *PAGE_PARAMETERS],
        responses={200: paginated(StudentOutputSerializer), **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = validated(StudentListFilterSerializer, request.query_params)
        return paginated_response(
            queryset=student_list(**filters),
            serializer_class=StudentOutputSerializer,
            request=request,
            view=self,
        )


def student_for(request: Request, raw_enrollment_no: str) -> Student:
    enrollment_no = enrollment_no_in_path(raw_enrollment_no)
    if not student_visible_to(request.user, enrollment_no):
        raise PermissionDenied("Only the student themself and staff can see this.")
    return student_get(enrollment_no)


class StudentDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="students_retrieve",
        summary="One student (the student themself and staff)",
        parameters=[ENROLLMENT_NO_PARAMETER],
        responses={200: StudentOutputSerializer, **errors(403)},
    )
    def get(self, request: Request, enrollment_no: str) -> Response:
        return Response(StudentOutputSerializer(student_for(request, enrollment_no)).data)


# Registration


class EnrollmentInputSerializer(Serializer):
    enrollment_no = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text=ENROLLMENT_NO_HELP)


ANSWERS_HELP = (
    "Answers to the event's questions, {code: value}: text, a number, true/false, an option, or a list of options."
)


ACCESS_CODE_HELP = "For an invite-only event (`access_code_required`): one of the codes its organizers gave out."


class RegistrationInputSerializer(EnrollmentInputSerializer):
    answers = serializers.JSONField(required=False, help_text=ANSWERS_HELP)
    access_code = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text=ACCESS_CODE_HELP)


class RegistrationOutputSerializer(Serializer):
    registration_id = serializers.CharField()
    event_id = serializers.CharField()
    enrollment_no = serializers.CharField(source="student_id")
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)
    waitlist_position = serializers.SerializerMethodField(help_text="1-based; null unless waitlisted.")
    checkin_code = serializers.CharField(allow_null=True, help_text="Null unless confirmed.")

    def get_waitlist_position(self, registration) -> int | None:
        return waitlist_position(registration)


class RegisterIndividualApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="register_individual_create",
        summary="Register one student for an individual event",
        parameters=[EVENT_ID_PARAMETER],
        request=RegistrationInputSerializer,
        responses={201: RegistrationOutputSerializer, **errors(403, conflicts=REGISTER_CONFLICTS)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = validated(RegistrationInputSerializer, request.data)
        registration = registration_create(
            event=event_id,
            enrollment_no=enrollment_no_or_own(request, given.get("enrollment_no")),
            answers=given.get("answers"),
            access_code=given.get("access_code"),
            actor=request.user,
        )
        return Response(RegistrationOutputSerializer(registration).data, status=status.HTTP_201_CREATED)


class TeamInputSerializer(Serializer):
    team_name = serializers.CharField(max_length=200, validators=[single_line_text])
    leader = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text=ENROLLMENT_NO_HELP)
    members = serializers.ListField(
        child=serializers.CharField(max_length=32),
        max_length=100,
        help_text="Enrollment numbers; may include the leader.",
    )
    answers = serializers.JSONField(required=False, help_text=ANSWERS_HELP + " The leader's answers.")
    access_code = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text=ACCESS_CODE_HELP)


class TeamOutputSerializer(Serializer):
    team_id = serializers.CharField(source="pk")
    team_name = serializers.CharField(source="name")
    event_id = serializers.CharField()
    leader = serializers.CharField(source="leader_id")
    status = serializers.ChoiceField(
        choices=TeamStatus.choices, help_text="forming (a student's team: no seats until enough members accept)."
    )
    registrations = serializers.SerializerMethodField()
    join_code = serializers.SerializerMethodField(help_text="A forming team's code for friends to join; else null.")
    invitations = serializers.SerializerMethodField(help_text="enrollment_no -> pending, the invitations sent.")

    def get_registrations(self, team) -> dict[str, str]:
        return team_registrations_of(team)

    def get_join_code(self, team) -> str | None:
        return team.join_code if team.status == TeamStatus.FORMING else None

    def get_invitations(self, team) -> dict[str, str]:
        return {member.enrollment_no: member.state for member in team_members(team) if member.state == "pending"}


class RegisterTeamApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="register_team_create",
        summary="Start a team (a student: forming, members invited) or register a whole team (organizers, staff)",
        description="A student's team is `forming` and holds no seats; each member is invited and accepts "
        "(`/api/v2/teams/{team_id}/accept`) or joins with the `join_code`. An organizer or staff registers the "
        "whole team directly: all confirmed or all waitlisted.",
        parameters=[EVENT_ID_PARAMETER],
        request=TeamInputSerializer,
        responses={
            201: TeamOutputSerializer,
            **errors(404, 403, conflicts=("TEAM_NAME_TAKEN", "TEAM_SIZE", *REGISTER_CONFLICTS)),
        },
    )
    def post(self, request: Request, event_id: str) -> Response:
        data = validated(TeamInputSerializer, request.data)
        team = team_register_or_create(
            event=event_id,
            team_name=data["team_name"],
            leader=data.get("leader") or None,
            members=data["members"],
            answers=data.get("answers"),
            access_code=data.get("access_code"),
            actor=request.user,
        )
        return Response(TeamOutputSerializer(team).data, status=status.HTTP_201_CREATED)


REGISTRATION_ID_PARAMETER = OpenApiParameter(
    "registration_id",
    str,
    OpenApiParameter.PATH,
    description="The registration's id (`registration_id`).",
    pattern=CODE_PATTERN,
)


class RegistrationRejectInputSerializer(Serializer):
    reason = serializers.CharField(
        max_length=REJECTION_REASON_MAX,
        required=False,
        allow_blank=True,
        validators=[multiline_text],
        help_text="Kept in the event's audit trail.",
    )


class RegistrationApproveApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="registration_approve",
        summary="Approve a registration awaiting approval (organizers): confirmed or waitlisted by the seats free now",
        description="A team's registration approves the whole team. Approving one already approved changes nothing.",
        parameters=[REGISTRATION_ID_PARAMETER],
        request=NO_INPUT,
        responses={
            200: RegistrationOutputSerializer,
            **errors(400, 403, 404, conflicts=("EVENT_FULL", "EVENT_CANCELLED")),
        },
    )
    def post(self, request: Request, registration_id: str) -> Response:
        registration = registration_approve(registration=registration_id, actor=request.user)
        return Response(RegistrationOutputSerializer(registration).data)


class RegistrationRejectApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="registration_reject",
        summary="Reject a registration awaiting approval (organizers); the student is emailed",
        description="A team's registration rejects the whole team. Rejecting one already rejected changes nothing.",
        parameters=[REGISTRATION_ID_PARAMETER],
        request=RegistrationRejectInputSerializer,
        responses={200: RegistrationOutputSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, registration_id: str) -> Response:
        given = validated(RegistrationRejectInputSerializer, request.data)
        registration = registration_reject(
            registration=registration_id, reason=given.get("reason", ""), actor=request.user
        )
        return Response(RegistrationOutputSerializer(registration).data)


class AccessCodesInputSerializer(Serializer):
    count = serializers.IntegerField(min_value=1, max_value=ACCESS_CODES_PER_REQUEST_MAX, help_text="How many codes.")
    max_uses = serializers.IntegerField(
        min_value=1, max_value=ACCESS_CODE_USES_MAX, help_text="Registrations each code allows (1: one person each)."
    )


class NewAccessCodesSerializer(Serializer):
    codes = serializers.ListField(child=serializers.CharField(), help_text="The new codes, to hand out.")


class AccessCodeSerializer(Serializer):
    code = serializers.CharField()
    max_uses = serializers.IntegerField()
    uses = serializers.IntegerField(help_text="Registrations made with it.")
    uses_left = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class AccessCodesApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="access_codes_list",
        summary="The event's access codes and how often each was used (organizers)",
        parameters=[EVENT_ID_PARAMETER],
        responses={200: AccessCodeSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request: Request, event_id: str) -> Response:
        codes = access_code_list(event=event_get(event_id), actor=request.user)
        return Response(AccessCodeSerializer(codes, many=True).data)

    @extend_schema(
        operation_id="access_codes_create",
        summary="Generate access codes for an invite-only event (organizers)",
        parameters=[EVENT_ID_PARAMETER],
        request=AccessCodesInputSerializer,
        responses={201: NewAccessCodesSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = validated(AccessCodesInputSerializer, request.data)
        codes = access_codes_generate(event=event_get(event_id), actor=request.user, **given)
        return Response({"codes": [code.code for code in codes]}, status=status.HTTP_201_CREATED)


class CancelOutputSerializer(Serializer):
    cancelled = serializers.ListField(child=serializers.CharField(), help_text="Registration ids (a team: all).")
    promoted = serializers.DictField(
        child=serializers.CharField(), help_text="enrollment_no -> registration_id moved up from the waitlist."
    )


class RegisterCancelApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="register_cancel_create",
        summary="Cancel a registration (a team is cancelled whole, by its leader or an organizer)",
        parameters=[EVENT_ID_PARAMETER],
        request=EnrollmentInputSerializer,
        responses={200: CancelOutputSerializer, **errors(403, conflicts=("NOT_REGISTERED", "REGISTRATION_CLOSED"))},
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = validated(EnrollmentInputSerializer, request.data)
        result = registration_cancel(
            event=event_id,
            enrollment_no=enrollment_no_or_own(request, given.get("enrollment_no")),
            actor=request.user,
        )
        return Response(CancelOutputSerializer(result).data)


# Attendance and feedback


class AttendanceInputSerializer(Serializer):
    enrollment_no = serializers.CharField(max_length=32, required=False, allow_blank=True)
    checkin_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    session = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Session code; default: the session under way."
    )


class AttendanceOutputSerializer(Serializer):
    attendance_id = serializers.CharField()
    enrollment_no = serializers.CharField(source="student_id")
    session = serializers.CharField(source="session.code")
    marked_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=Attendance.Method.choices, help_text="How the check-in was taken.")
    marked_by = serializers.CharField(
        source="marked_by_name", allow_null=True, help_text="Who took it: a username, or `link:<link_id>`."
    )


class AttendanceMarkApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="attendance_mark_create",
        summary="Check a student in, by enrollment number or check-in code (organizers)",
        description="201 when marked now; 200 with the same body when already marked for that session.",
        parameters=[EVENT_ID_PARAMETER],
        request=AttendanceInputSerializer,
        responses={
            201: AttendanceOutputSerializer,
            200: AttendanceOutputSerializer,
            **errors(403, conflicts=("NOT_REGISTERED", "EVENT_CANCELLED", "CHECKIN_NOT_OPEN")),
        },
    )
    def post(self, request: Request, event_id: str) -> Response:
        data = validated(AttendanceInputSerializer, request.data)
        attendance, created = attendance_mark(
            event=event_get(event_id),
            enrollment_no=data.get("enrollment_no") or None,
            checkin_code=data.get("checkin_code") or None,
            session=data.get("session") or None,
            actor=request.user,
        )
        return Response(
            AttendanceOutputSerializer(attendance).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class FeedbackInputSerializer(EnrollmentInputSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comments = serializers.CharField(
        max_length=Feedback.COMMENTS_MAX_LENGTH, required=False, allow_blank=True, validators=[multiline_text]
    )
    answers = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="The event's feedback questions: question id -> a rating 1..5 or a text. "
        "Errors come per question as details.question_<id>.",
    )


class FeedbackOutputSerializer(Serializer):
    feedback_id = serializers.CharField()
    enrollment_no = serializers.CharField(source="student_id")
    event_id = serializers.CharField()
    rating = serializers.IntegerField()
    comments = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class FeedbackSubmitApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="feedback_submit_create",
        summary="Give feedback once, after attending",
        parameters=[EVENT_ID_PARAMETER],
        request=FeedbackInputSerializer,
        responses={
            201: FeedbackOutputSerializer,
            **errors(403, conflicts=("NOT_REGISTERED", "NOT_ATTENDED", "FEEDBACK_ALREADY_SUBMITTED")),
        },
    )
    def post(self, request: Request, event_id: str) -> Response:
        data = validated(FeedbackInputSerializer, request.data)
        feedback = feedback_submit(
            event=event_get(event_id),
            enrollment_no=enrollment_no_or_own(request, data.get("enrollment_no")),
            rating=data["rating"],
            comments=data.get("comments", ""),
            answers=data.get("answers"),
            actor=request.user,
        )
        return Response(FeedbackOutputSerializer(feedback).data, status=status.HTTP_201_CREATED)


# The organizers' roster: the rows of the roster page, for a frontend


class EventRosterFilterSerializer(Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of an enrollment number, a name or a team."
    )
    status = serializers.ChoiceField(
        choices=RegistrationStatus.choices,
        required=False,
        allow_blank=True,
        help_text="Only this status; by default every registration but the cancelled and rejected ones.",
    )
    session = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="A session code: those checked in to it."
    )


class EventRosterRowSerializer(Serializer):
    registration_id = serializers.CharField(source="registration.registration_id")
    status = serializers.ChoiceField(choices=RegistrationStatus.choices, source="registration.status")
    student = StudentOutputSerializer()
    team_name = serializers.CharField(allow_null=True)
    attended_sessions = serializers.ListField(child=serializers.CharField(), help_text="Session codes, in order.")
    answers = serializers.SerializerMethodField(help_text="{question code: value}, as the student answered.")
    feedback_id = serializers.CharField(allow_null=True)
    certificate_ids = serializers.ListField(child=serializers.CharField(), help_text="Valid certificates, any kind.")

    @extend_schema_field(serializers.DictField())
    def get_answers(self, row) -> dict:
        return row.answers


class EventRosterApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="event_roster_list",
        summary="The event's roster: each registration with its check-ins, answers, feedback and certificates "
        "(organizers)",
        parameters=[EVENT_ID_PARAMETER, EventRosterFilterSerializer, *PAGE_PARAMETERS],
        responses={200: paginated(EventRosterRowSerializer), **errors(400, 403)},
    )
    def get(self, request: Request, event_id: str) -> Response:
        event = event_get(event_id)
        if not event_is_visible_to(event, request.user):
            raise NotFound.of("event", event_id)  # a draft is invisible to all but its organizers
        filters = validated(EventRosterFilterSerializer, request.query_params)
        code = filters.get("session")
        session = next((s for s in event_sessions(event) if s.code == code), None) if code else None
        registrations = roster_registrations(
            event=event,
            actor=request.user,
            q=filters.get("q"),
            status=filters.get("status"),
            session=session,
        )
        if code and session is None:
            raise ValidationFailed.for_field("session", "This event has no session with this code.")
        paginator = ApiPagination()
        page = paginator.paginate_queryset(registrations, request, view=self)
        rows = roster_rows_of(event, page)
        return paginator.get_paginated_response(EventRosterRowSerializer(rows, many=True).data)
