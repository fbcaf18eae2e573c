"""The one error model of the service layer, and its rendering for the API.

A domain error carries a stable ``code`` (the contract of API.md), an HTTP status,
a human message and details. Services raise them; the API renders them as
``{"error": {"code", "message", "details"}}``; pages show the message next to the
form; commands print it and exit non-zero.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response


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


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every error raised inside a DRF view as the contract's error body."""
    if isinstance(exc, DomainError):
        headers = {}
        if isinstance(exc, Unavailable):
            headers["Retry-After"] = str(exc.details.get("retry_after", 5))
        return Response(exc.as_dict(), status=exc.http_status, headers=headers)
    if isinstance(exc, Http404):
        return Response(error_body("NOT_FOUND", "Not found."), status=404)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(error_body("PERMISSION_DENIED", PermissionDenied.default_message), status=403)
    if isinstance(exc, drf_exceptions.ValidationError):
        return Response(
            error_body("VALIDATION_ERROR", ValidationFailed.default_message, _validation_details(exc.detail)),
            status=400,
        )
    if isinstance(exc, drf_exceptions.APIException):
        code = next((code for kind, code in _DRF_CODES if isinstance(exc, kind)), "ERROR")
        headers = {}
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        details: dict[str, Any] = {}
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
            details["retry_after"] = int(exc.wait) + 1
        return Response(error_body(code, str(exc.detail), details), status=exc.status_code, headers=headers)
    return None
