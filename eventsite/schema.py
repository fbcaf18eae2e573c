"""OpenAPI description shared by every view of the API: the error responses and the path patterns.

Each operation documents its success bodies and the errors only it can give (403, 409 with
its codes); ``ApiAutoSchema`` adds the errors any operation can give, so the schema at
/api/schema/ lists every status the server may answer with.
"""

from django.urls.converters import SlugConverter
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from eventsite.serializers import Serializer


class ErrorDetailSerializer(Serializer):
    code = serializers.CharField(help_text="Stable UPPER_SNAKE code, e.g. EVENT_FULL.")
    message = serializers.CharField(help_text="Human text, fit to show to the user.")
    details = serializers.DictField(help_text="For VALIDATION_ERROR: field -> list of messages.")


class ErrorSerializer(Serializer):
    error = ErrorDetailSerializer()


# What a path segment may hold, as its URL converter matches it: a slug (events, clubs) or a code
# (eventsite.api_urls' ``code``: enrollment numbers and ids, letters and digits only).
CODE_REGEX = "[0-9A-Za-z]+"
CODE_PATTERN = f"^{CODE_REGEX}$"
SLUG_PATTERN = f"^{SlugConverter.regex}$"

# The request body of an action that takes no input, for ``extend_schema(request=...)``: any JSON object, unread.
NO_INPUT = {"application/json": OpenApiTypes.OBJECT}

ERROR_DESCRIPTIONS = {
    400: "VALIDATION_ERROR: the body or a parameter is not valid (details: field -> messages).",
    401: "NOT_AUTHENTICATED: no login, or an unknown token.",
    403: "PERMISSION_DENIED: logged in, but not allowed to do this.",
    404: "NOT_FOUND: details.what names what was not found (event, student, certificate ...).",
    413: "PAYLOAD_TOO_LARGE: the body is larger than the server accepts.",
    415: "VALIDATION_ERROR: the body is not JSON (send Content-Type: application/json).",
    429: "THROTTLED: too many attempts; retry after the Retry-After header's seconds.",
    503: "UNAVAILABLE: the database is unreachable; retry after the Retry-After header's seconds.",
}


def errors(*statuses: int, conflicts: tuple[str, ...] = ()) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses=...)``; ``conflicts`` lists the 409 codes."""
    documented = {status: OpenApiResponse(ErrorSerializer, ERROR_DESCRIPTIONS[status]) for status in statuses}
    if conflicts:
        documented[409] = OpenApiResponse(ErrorSerializer, "Refused by a rule: " + ", ".join(conflicts) + ".")
    return documented


class ApiAutoSchema(AutoSchema):
    """Adds to every operation the errors that any request of its kind may meet."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        possible = [401, 503]
        if self.method in ("POST", "PUT", "PATCH"):
            possible += [400, 413, 415]
        if "{" in self.path:
            possible.append(404)
        if getattr(self.view, "throttle_scope", None):
            possible.append(429)
        for status, response in errors(*(status for status in possible if str(status) not in responses)).items():
            responses[str(status)] = self._get_response_for_code(response, str(status), direction=direction)
        return dict(sorted(responses.items()))
