"""The event's figures as JSON (``GET /api/v2/analytics/<event_id>``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors import event_analytics
from events.api import EVENT_ID_PARAMETER, CountsSerializer
from events.selectors import event_get_for_organizer
from eventsite.schema import errors
from eventsite.serializers import Serializer


class FeedbackSummarySerializer(Serializer):
    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    histogram = serializers.DictField(child=serializers.IntegerField(), help_text='"1".."5" -> how many')


class SessionAttendanceSerializer(Serializer):
    session = serializers.CharField(help_text="The session's code.")
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    attended = serializers.IntegerField(help_text="Students checked in to this session.")
    rate = serializers.FloatField(allow_null=True, help_text="Attended / confirmed; null before any.")


class QuestionAverageSerializer(Serializer):
    question_id = serializers.IntegerField()
    prompt = serializers.CharField()
    kind = serializers.ChoiceField(choices=["rating", "text"])
    required = serializers.BooleanField()
    answers = serializers.IntegerField(help_text="How many answered it.")
    average = serializers.FloatField(allow_null=True, help_text="Mean rating 1..5; null for text or unanswered.")


class EventAnalyticsOutputSerializer(Serializer):
    event_id = serializers.CharField()
    counts = CountsSerializer()
    attendance_rate = serializers.FloatField(allow_null=True, help_text="Attended / confirmed; null before any.")
    registrations_by_day = serializers.DictField(
        child=serializers.IntegerField(), help_text="Date (college time zone) -> active registrations made that day."
    )
    departments = serializers.DictField(child=serializers.IntegerField(), help_text="Department -> registrations.")
    feedback = FeedbackSummarySerializer()
    certificates_issued = serializers.IntegerField()
    attendance_by_session = SessionAttendanceSerializer(many=True, help_text="In session order.")
    years = serializers.DictField(
        child=serializers.IntegerField(), help_text='Year of study ("unknown" last) -> active registrations.'
    )
    questions = QuestionAverageSerializer(many=True, help_text="The event's feedback questions, in form order.")


class EventAnalyticsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="analytics_retrieve",
        summary="The event's figures (organizers)",
        parameters=[EVENT_ID_PARAMETER],
        responses={200: EventAnalyticsOutputSerializer, **errors(403)},
    )
    def get(self, request: Request, event_id: str) -> Response:
        event = event_get_for_organizer(event_id, request.user)
        return Response(EventAnalyticsOutputSerializer(event_analytics(event)).data)
