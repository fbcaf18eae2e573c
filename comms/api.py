"""JSON views of comms: a student's email preferences (and, below, announcements)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from comms.models import Announcement, EmailPreferences
from comms.selectors import announcement_list_for_organizers
from comms.services import announcement_send, email_preferences_of, email_preferences_set
from events.api import EVENT_ID_PARAMETER
from events.selectors import event_get, event_user_is_organizer
from eventsite.errors import PermissionDenied
from eventsite.pagination import PAGE_PARAMETERS, paginated, paginated_response
from eventsite.schema import errors
from eventsite.serializers import Serializer, validated
from registrations.models import Student


def _student_of(request: Request) -> Student:
    student = getattr(request.user, "student", None)
    if student is None:
        raise PermissionDenied("Only students have email preferences.")
    return student


class EmailPreferencesSerializer(Serializer):
    reminders = serializers.BooleanField(
        required=False, help_text="Reminders before the events you hold a seat at (default on)."
    )
    announcements = serializers.BooleanField(
        required=False, help_text="Organizers' announcements about your events (default on)."
    )


class EmailPreferencesOutputSerializer(Serializer):
    reminders = serializers.BooleanField()
    announcements = serializers.BooleanField()

    @staticmethod
    def of(preferences: EmailPreferences) -> dict:
        return {"reminders": preferences.reminders, "announcements": preferences.announcements}


class EmailPreferencesApi(APIView):
    """Transactional emails (confirmations, cancellations, certificates ...) always go; these two are optional."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="me_email_preferences_retrieve",
        summary="The logged-in student's email preferences",
        responses={200: EmailPreferencesOutputSerializer, **errors(403)},
    )
    def get(self, request: Request) -> Response:
        return Response(EmailPreferencesOutputSerializer.of(email_preferences_of(_student_of(request))))

    @extend_schema(
        operation_id="me_email_preferences_update",
        summary="Turn reminders and announcements on or off (a field left out stays as it is)",
        request=EmailPreferencesSerializer,
        responses={200: EmailPreferencesOutputSerializer, **errors(403)},
    )
    def post(self, request: Request) -> Response:
        student = _student_of(request)
        given = validated(EmailPreferencesSerializer, request.data)
        preferences = email_preferences_set(student=student, **given)
        return Response(EmailPreferencesOutputSerializer.of(preferences))


class AnnouncementInputSerializer(Serializer):
    subject = serializers.CharField(
        max_length=Announcement.SUBJECT_MAX_LENGTH, trim_whitespace=False, help_text="One line: no line breaks."
    )
    body = serializers.CharField(
        max_length=Announcement.BODY_MAX_LENGTH, trim_whitespace=False, help_text="Plain text; line breaks kept."
    )
    audience = serializers.ChoiceField(choices=Announcement.Audience.choices)


class AnnouncementQueuedSerializer(Serializer):
    announcement_id = serializers.CharField()
    recipients = serializers.IntegerField(help_text="Emails queued (students who turned announcements off excluded).")


class AnnouncementOutputSerializer(Serializer):
    announcement_id = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    audience = serializers.ChoiceField(choices=Announcement.Audience.choices)
    recipients = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)


class AnnouncementsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="events_announcements_list",
        summary="The event's announcements, newest first (organizers)",
        parameters=[EVENT_ID_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(AnnouncementOutputSerializer), **errors(403, 404)},
    )
    def get(self, request: Request, event_id: str) -> Response:
        event = event_get(event_id)
        if not event_user_is_organizer(event, request.user):
            raise PermissionDenied("Only this event's organizers can list its announcements.")
        return paginated_response(
            queryset=announcement_list_for_organizers(event),
            serializer_class=AnnouncementOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(
        operation_id="events_announcements_create",
        summary="Email some of the event's registrants (organizers); queued, sent by the worker",
        parameters=[EVENT_ID_PARAMETER],
        request=AnnouncementInputSerializer,
        responses={202: AnnouncementQueuedSerializer, **errors(403, 429)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        event = event_get(event_id)
        if not event_user_is_organizer(event, request.user):
            raise PermissionDenied("Only this event's organizers can write to its registrants.")
        given = validated(AnnouncementInputSerializer, request.data)
        announcement = announcement_send(event=event, actor=request.user, **given)
        return Response(
            {"announcement_id": announcement.pk, "recipients": announcement.recipients}, status=status.HTTP_202_ACCEPTED
        )
