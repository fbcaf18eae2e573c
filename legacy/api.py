"""The deprecated V1 API: one event in the legacy document shape, read-only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from events.selectors import event_get, event_user_is_organizer
from eventsite.errors import PermissionDenied
from eventsite.schema import errors
from legacy.exporter import event_document
from registrations.authentication import StudentTokenAuthentication

DEPRECATION = "true"


class LegacyEventApi(APIView):
    """``GET /api/v1/events/{event_id}``: organizers and staff; points at its v2 successor."""

    # Token first, so an anonymous request gets 401 with a WWW-Authenticate challenge.
    authentication_classes = [StudentTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        deprecated=True,
        summary="An event in the legacy document shape (deprecated; use /api/v2/status/{event_id}).",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="The legacy event document."), **errors(403)},
    )
    def get(self, request, event_id: str):
        event = event_get(event_id)
        if not event_user_is_organizer(event, request.user):
            raise PermissionDenied("Only this event's organizers can read it.")
        response = Response(event_document(event))
        response["Deprecation"] = DEPRECATION
        response["Link"] = f'</api/v2/status/{event_id}>; rel="successor-version"'
        return response
