"""``Authorization: Scanner <token>``: a volunteer's scanner link, for one event's door only."""

from django.http import JsonResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from eventsite.errors import LinkRevoked, NotAuthenticated, PermissionDenied
from registrations.models import ScannerLink
from registrations.services import ScannerLinkActor, scanner_link_token_hash

# What a scanner link may reach: the event's check-in roster and the marking of its attendance.
SCANNER_LINK_SCOPE = {"api-checkin-roster", "api-attendance-batch", "api-attendance-mark"}


class ScannerLinkAuthentication(BaseAuthentication):
    keyword = "Scanner"

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None
        if len(words) != 2:
            raise NotAuthenticated("Send `Authorization: Scanner <token>`.")
        token = words[1].decode("latin-1")
        link = ScannerLink.objects.filter(token_hash=scanner_link_token_hash(token)).first()
        if link is None:
            raise NotAuthenticated("This scanner link is not known.")
        if not link.is_active(timezone.now()):
            raise LinkRevoked()
        match = request._request.resolver_match
        if match is None or match.url_name not in SCANNER_LINK_SCOPE:
            raise PermissionDenied("A scanner link only reads its event's check-in roster and marks its attendance.")
        if match.kwargs.get("event_id") != link.event_id:
            raise PermissionDenied("This scanner link is for another event.")
        return ScannerLinkActor(link), link

    def authenticate_header(self, request):
        return self.keyword


class ScannerLinkScopeMiddleware:
    """Enforces the scope for every view under /api/, including views with their own
    authentication classes (which would otherwise ignore the Scanner header and answer 401)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:8].lower() != "scanner " or not request.path.startswith("/api/"):
            return None
        if request.resolver_match is None or request.resolver_match.url_name not in SCANNER_LINK_SCOPE:
            error = PermissionDenied("A scanner link only reads its event's check-in roster and marks its attendance.")
            return JsonResponse(error.as_dict(), status=error.http_status)
        return None


class ScannerLinkScheme(OpenApiAuthenticationExtension):
    target_class = ScannerLinkAuthentication
    name = "scannerLink"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Scanner <token>` of a scanner link: only the check-in roster and attendance marking "
            "of its event; anything else is 403, a revoked or expired link 401 `LINK_REVOKED`.",
        }
