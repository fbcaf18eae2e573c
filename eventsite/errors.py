"""The one error model of the service layer, and its rendering for the API.

A domain error carries a stable ``code`` (the contract of API.md), an HTTP status,
a human message and details. Services raise them; the API renders them as
``{"error": {"code", "message", "details"}}``; pages show the message next to the
form; commands print it and exit non-zero.
"""

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

logger = logging.getLogger("django.request")

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5


class DomainError(Exception):
    code = "DOMAIN_ERROR"
    http_status = 400
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message})"


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"
    http_status = 400
    default_message = "Some fields are not valid."

    @classmethod
    def for_field(cls, field: str, message: str) -> "ValidationFailed":
        return cls(message, details={field: [message]})


class NotAuthenticated(DomainError):
    code = "NOT_AUTHENTICATED"
    http_status = 401
    default_message = "Log in to do this."


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    http_status = 403
    default_message = "You are not allowed to do this."


class NotFound(DomainError):
    code = "NOT_FOUND"
    http_status = 404
    default_message = "Not found."

    @classmethod
    def of(cls, what: str, key: str | None = None) -> "NotFound":
        details: dict[str, Any] = {"what": what}
        if key is not None:
            details["key"] = key
        label = what.replace("_", " ")
        return cls(f"No {label} {key!r} was found." if key is not None else f"No such {label}.", details=details)


class Conflict(DomainError):
    http_status = 409


class AlreadyExists(Conflict):
    code = "ALREADY_EXISTS"
    default_message = "This already exists."


class AlreadyRegistered(Conflict):
    code = "ALREADY_REGISTERED"
    default_message = "Already registered for this event."


class TeamNameTaken(Conflict):
    code = "TEAM_NAME_TAKEN"
    default_message = "Another team in this event already has this name."


class EventFull(Conflict):
    code = "EVENT_FULL"
    default_message = "This event is full."


class RegistrationClosed(Conflict):
    code = "REGISTRATION_CLOSED"
    default_message = "Registration for this event is not open."


class WrongRegistrationMode(Conflict):
    code = "WRONG_REGISTRATION_MODE"
    default_message = "This event does not take this kind of registration."


class TeamSize(Conflict):
    code = "TEAM_SIZE"
    default_message = "The team does not have an allowed number of members."


class NotRegistered(Conflict):
    code = "NOT_REGISTERED"
    default_message = "This student has no confirmed registration for this event."


class NotAttended(Conflict):
    code = "NOT_ATTENDED"
    default_message = "This student has not attended the event."


class FeedbackAlreadySubmitted(Conflict):
    code = "FEEDBACK_ALREADY_SUBMITTED"
    default_message = "Feedback for this event was already given."


class NotEligible(Conflict):
    code = "NOT_ELIGIBLE"
    default_message = "This student is not eligible for a certificate."


class EventCancelled(Conflict):
    code = "EVENT_CANCELLED"
    default_message = "This event has been cancelled."


class CheckinNotOpen(Conflict):
    code = "CHECKIN_NOT_OPEN"
    default_message = "Check-in for this session is not open now."


class TeamLocked(Conflict):
    code = "TEAM_LOCKED"
    default_message = "Registration has closed: the team can no longer change; it can only be cancelled."


class InvitationNotFound(Conflict):
    code = "INVITATION_NOT_FOUND"
    default_message = "There is no open invitation to this team for you."


class PendingApproval(Conflict):
    code = "PENDING_APPROVAL"
    default_message = "This registration is waiting for the organizers' approval."


class AudienceRestricted(Conflict):
    code = "AUDIENCE_RESTRICTED"
    default_message = "This event is not open to you."


class AccessCodeInvalid(Conflict):
    code = "ACCESS_CODE_INVALID"
    default_message = "This access code is not valid for this event, or it has been used up."


class LinkRevoked(DomainError):
    code = "LINK_REVOKED"
    http_status = 401
    default_message = "This scanner link has been revoked or has expired."


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413
    default_message = "The request body is too large."


class Throttled(DomainError):
    code = "THROTTLED"
    http_status = 429
    default_message = "Too many requests; try again later."


class Unavailable(DomainError):
    code = "UNAVAILABLE"
    http_status = 503
    default_message = "The service is briefly unavailable; try again shortly."


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _validation_details(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {field: _messages(value) for field, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _messages(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in value):
            return [str(item) for item in value]
        return [_messages(item) for item in value]
    return [str(value)]


_DRF_CODES: list[tuple[type[Exception], str]] = [
    (drf_exceptions.ParseError, "VALIDATION_ERROR"),
    (drf_exceptions.UnsupportedMediaType, "VALIDATION_ERROR"),
    (drf_exceptions.NotAuthenticated, "NOT_AUTHENTICATED"),
    (drf_exceptions.AuthenticationFailed, "NOT_AUTHENTICATED"),
    (drf_exceptions.PermissionDenied, "PERMISSION_DENIED"),
    (drf_exceptions.NotFound, "NOT_FOUND"),
    (drf_exceptions.MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (drf_exceptions.NotAcceptable, "NOT_ACCEPTABLE"),
    (drf_exceptions.Throttled, "THROTTLED"),
]

DATABASE_ERRORS = (OperationalError, InterfaceError)


def _unavailable() -> tuple[dict[str, Any], dict[str, str]]:
    error = Unavailable(details={"retry_after": RETRY_AFTER_SECONDS})
    return error.as_dict(), {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _payload_too_large() -> dict[str, Any]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return PayloadTooLarge(f"The request body is larger than {limit} bytes.", details={"max_bytes": limit}).as_dict()


INTERNAL_ERROR_MESSAGE = "Something went wrong on our side; it has been logged."


def error_response_parts(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """The one mapping from an error to the contract's answer: ``(status, body, headers)``.

    None for an error it does not know (a bug): the caller answers 500 INTERNAL_ERROR.
    """
    if isinstance(exc, DomainError):
        headers = {}
        if isinstance(exc, Unavailable):
            headers["Retry-After"] = str(exc.details.get("retry_after", RETRY_AFTER_SECONDS))
        return exc.http_status, exc.as_dict(), headers
    if isinstance(exc, DATABASE_ERRORS):
        logger.warning("Database unavailable: %s", exc)
        body, headers = _unavailable()
        return 503, body, headers
    if isinstance(exc, RequestDataTooBig):
        return 413, _payload_too_large(), {}
    if isinstance(exc, SuspiciousOperation):
        return 400, error_body("VALIDATION_ERROR", "The request is not valid."), {}
    if isinstance(exc, Http404):
        return 404, error_body("NOT_FOUND", "Not found."), {}
    if isinstance(exc, DjangoPermissionDenied):
        return 403, error_body("PERMISSION_DENIED", PermissionDenied.default_message), {}
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return 400, error_body("VALIDATION_ERROR", ValidationFailed.default_message, details), {}
    if isinstance(exc, drf_exceptions.ValidationError):
        details = _validation_details(exc.detail)
        return 400, error_body("VALIDATION_ERROR", ValidationFailed.default_message, details), {}
    if isinstance(exc, drf_exceptions.APIException):
        code = next((code for kind, code in _DRF_CODES if isinstance(exc, kind)), "ERROR")
        status = exc.status_code
        headers = {}
        details: dict[str, Any] = {}
        if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
            # DRF downgrades these to 403 when the first authenticator sends no challenge;
            # the contract says 401 for a missing or bad login, whichever way it came.
            status = 401
            headers["WWW-Authenticate"] = getattr(exc, "auth_header", None) or 'Token realm="api"'
        if isinstance(exc, drf_exceptions.ParseError):
            details["non_field_errors"] = [str(exc.detail)]
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
            retry_after = int(exc.wait) + 1
            headers["Retry-After"] = str(retry_after)
            details["retry_after"] = retry_after
        return status, error_body(code, str(exc.detail), details), headers
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every error raised inside a DRF view as the contract's error body."""
    parts = error_response_parts(exc)
    if parts is None:
        return None
    status, body, headers = parts
    return Response(body, status=status, headers=headers)


# Errors raised outside DRF views: no HTML error page is ever served under /api/.


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def json_error_for(exc: BaseException) -> JsonResponse:
    """``error_response_parts`` as a plain JSON response, for the handlers of errors outside DRF views."""
    status, body, headers = error_response_parts(exc)
    return JsonResponse(body, status=status, headers=headers)


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Every unknown path under /api/, whatever the method."""
    return json_error(404, "NOT_FOUND", f"No API endpoint at {request.path}.", {"what": "endpoint"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_error_for(SuspiciousOperation())
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_error_for(DjangoPermissionDenied())
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_error_for(Http404())
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this inside the ``except`` of an unhandled error, so the error is at hand."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        body, headers = _unavailable()
        return (
            JsonResponse(body, status=503, headers=headers)
            if is_api_request(request)
            else HttpResponse("The service is briefly unavailable; try again shortly.", status=503, headers=headers)
        )
    if is_api_request(request):
        return json_error(500, "INTERNAL_ERROR", INTERNAL_ERROR_MESSAGE)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api_request(request):
        return json_error(403, "PERMISSION_DENIED", f"CSRF check failed: {reason}")
    return django_csrf_failure(request, reason)


class ApiErrorMiddleware:
    """JSON errors for /api/ that happen before or around the views.

    Refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE from their Content-Length (DRF's
    parsers read the stream directly, so Django's own check never runs for JSON), and
    renders errors that escape a view (an unreachable database, or a bug while DEBUG
    would otherwise show an HTML page) in the contract's shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_request(request) and self._declared_length(request) > self._limit(request):
            return JsonResponse(_payload_too_large(), status=413)
        return self.get_response(request)

    @staticmethod
    def _limit(request: HttpRequest) -> int:
        """A multipart body may carry one uploaded image (its own limit is checked where it is read)."""
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + settings.IMAGE_UPLOAD_MAX_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    @staticmethod
    def _declared_length(request: HttpRequest) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        parts = error_response_parts(exception)
        if parts is not None:
            status, body, headers = parts
            return JsonResponse(body, status=status, headers=headers)
        signals.got_request_exception.send(sender=type(self), request=request)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        response = json_error(500, "INTERNAL_ERROR", INTERNAL_ERROR_MESSAGE)
        response._has_been_logged = True  # with its traceback, just above
        return response
