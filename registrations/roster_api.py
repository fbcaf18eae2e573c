"""The organizers' roster as JSON (API.md, "Events run by organizers"): the rows of the roster page, for a frontend."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import EVENT_ID_PARAMETER
from events.selectors import event_get, event_sessions, event_user_is_organizer
from eventsite.errors import NotFound, ValidationFailed
from eventsite.pagination import PAGE_PARAMETERS, ApiPagination, paginated
from eventsite.schema import errors
from registrations.api import StudentOutputSerializer
from registrations.models import RegistrationStatus
from registrations.selectors import roster_registrations, roster_rows_of


class EventRosterFilterSerializer(serializers.Serializer):
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


class EventRosterRowSerializer(serializers.Serializer):
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
        if not event.is_public and not event_user_is_organizer(event, request.user):
            raise NotFound.of("event", event_id)  # a draft is invisible to all but its organizers
        filters = EventRosterFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        code = filters.validated_data.get("session")
        session = next((s for s in event_sessions(event) if s.code == code), None) if code else None
        registrations = roster_registrations(
            event=event,
            actor=request.user,
            q=filters.validated_data.get("q"),
            status=filters.validated_data.get("status"),
            session=session,
        )
        if code and session is None:
            raise ValidationFailed.for_field("session", "This event has no session with this code.")
        paginator = ApiPagination()
        page = paginator.paginate_queryset(registrations, request, view=self)
        rows = roster_rows_of(event, page)
        return paginator.get_paginated_response(EventRosterRowSerializer(rows, many=True).data)
