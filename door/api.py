"""The door's JSON: scanner links, the check-in roster and batches of scans (API.md, "The door")."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from door.selectors import CODE_HASH_LENGTH, checkin_roster, scanner_link_list
from events.api import EVENT_ID_PARAMETER
from events.selectors import event_get
from eventsite.schema import errors
from eventsite.serializers import Serializer, validated
from registrations.models import CheckinScan, ScannerLink
from registrations.services import (
    SCAN_BATCH_MAX,
    ScanIn,
    attendance_batch_record,
    scanner_link_create,
    scanner_link_revoke,
)

# Scanner links


class ScannerLinkInputSerializer(Serializer):
    label = serializers.CharField(max_length=100, help_text="Who holds it, such as “Gate 2”.")
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Default: the end of the day the event ends."
    )


class ScannerLinkSerializer(Serializer):
    link_id = serializers.CharField()
    label = serializers.CharField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    active = serializers.BooleanField(source="is_active")


class NewScannerLinkSerializer(ScannerLinkSerializer):
    token = serializers.CharField(
        help_text="Only its hash is stored; the API shows it this once (the organizers' links page shows its QR code)."
    )
    url = serializers.CharField(help_text="The scanner page for the volunteer's phone (show it as a QR code).")


def _link_json(request: Request, link: ScannerLink, token: str | None = None) -> dict:
    data = dict(ScannerLinkSerializer(link).data)
    if token is not None:
        data |= {"token": token, "url": request.build_absolute_uri(reverse("door-scan-link", args=[token]))}
    return data


class ScannerLinksApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="scanner_links_list",
        summary="The event's scanner links (organizers)",
        parameters=[EVENT_ID_PARAMETER],
        responses={200: ScannerLinkSerializer(many=True), **errors(403)},
    )
    def get(self, request: Request, event_id: str) -> Response:
        links = scanner_link_list(event=event_get(event_id), actor=request.user)
        return Response([_link_json(request, link) for link in links])

    @extend_schema(
        operation_id="scanner_links_create",
        summary="Create a scanner link for a volunteer (organizers)",
        parameters=[EVENT_ID_PARAMETER],
        request=ScannerLinkInputSerializer,
        responses={201: NewScannerLinkSerializer, **errors(403)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = validated(ScannerLinkInputSerializer, request.data)
        link, token = scanner_link_create(
            event=event_get(event_id),
            label=given["label"],
            expires_at=given.get("expires_at"),
            actor=request.user,
        )
        return Response(_link_json(request, link, token), status=status.HTTP_201_CREATED)


class ScannerLinkApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="scanner_links_revoke",
        summary="Revoke a scanner link at once (organizers)",
        description="The phone holding it gets 401 `LINK_REVOKED` at its next request.",
        parameters=[EVENT_ID_PARAMETER, OpenApiParameter("link_id", str, OpenApiParameter.PATH)],
        responses={200: ScannerLinkSerializer, **errors(403)},
    )
    def delete(self, request: Request, event_id: str, link_id: str) -> Response:
        link = scanner_link_revoke(event=event_get(event_id), link_id=link_id, actor=request.user)
        return Response(_link_json(request, link))


# The check-in roster


class RosterSessionSerializer(Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)


class RosterRowSerializer(Serializer):
    enrollment_no = serializers.CharField()
    full_name = serializers.CharField()
    team_name = serializers.CharField(help_text="Empty for an individual registration.")
    marked = serializers.BooleanField(help_text="Already checked in for this session.")
    code_hash = serializers.CharField(
        help_text=f"HMAC-SHA256 of the check-in code (upper case, no spaces or dashes) under `hash_key`, "
        f"hex, first {CODE_HASH_LENGTH} digits."
    )


class CheckinRosterSerializer(Serializer):
    event_id = serializers.CharField(source="event.event_id")
    title = serializers.CharField(source="event.title")
    session = RosterSessionSerializer()
    sessions = RosterSessionSerializer(many=True)
    checkin_opens_at = serializers.DateTimeField(source="opens_at")
    checkin_closes_at = serializers.DateTimeField(source="closes_at")
    hash_key = serializers.CharField(help_text="The HMAC key of `code_hash` (UTF-8 bytes of this text).")
    expected = serializers.IntegerField(help_text="Confirmed registrants.")
    checked_in = serializers.IntegerField(help_text="Of them, already in for this session.")
    registrants = RosterRowSerializer(many=True)


class CheckinRosterApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="checkin_roster",
        summary="What a phone at the door needs to check people in offline (organizers, scanner links)",
        description="Never contains a check-in code, only its keyed hash.",
        parameters=[
            EVENT_ID_PARAMETER,
            OpenApiParameter("session", str, description="Session code; default: the session under way."),
        ],
        responses={200: CheckinRosterSerializer, **errors(403)},
    )
    def get(self, request: Request, event_id: str) -> Response:
        roster = checkin_roster(
            event=event_get(event_id), session_code=request.query_params.get("session") or None, actor=request.user
        )
        return Response(CheckinRosterSerializer(roster).data)


# Batches of scans


class ScanInputSerializer(Serializer):
    scan_id = serializers.CharField(max_length=64, help_text="Chosen by the phone; the same id answers the same.")
    checkin_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    enrollment_no = serializers.CharField(max_length=32, required=False, allow_blank=True)
    session = serializers.CharField(max_length=40, required=False, allow_blank=True)
    scanned_at = serializers.DateTimeField(help_text="When it was scanned; a moment in the future counts as now.")

    def validate(self, attrs):
        if not attrs.get("checkin_code") and not attrs.get("enrollment_no"):
            raise serializers.ValidationError("Give a check-in code or an enrollment number.")
        return attrs


class BatchInputSerializer(Serializer):
    scans = ScanInputSerializer(many=True, max_length=SCAN_BATCH_MAX)


class ScanResultSerializer(Serializer):
    scan_id = serializers.CharField()
    status = serializers.ChoiceField(choices=CheckinScan.Status.choices)
    code = serializers.CharField(allow_null=True, help_text="Why a scan was refused: an error code of API.md.")
    attendance_id = serializers.CharField(allow_null=True)
    enrollment_no = serializers.CharField(allow_null=True)


class BatchOutputSerializer(Serializer):
    results = ScanResultSerializer(many=True)


class AttendanceBatchApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="attendance_batch",
        summary="Send scans made at the door, offline or not (organizers, scanner links)",
        description="Each scan is judged at its `scanned_at` (never in the future); the same `scan_id` sent "
        "again gives the same result.",
        parameters=[EVENT_ID_PARAMETER],
        request=BatchInputSerializer,
        responses={200: BatchOutputSerializer, **errors(403)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = validated(BatchInputSerializer, request.data)
        scans = [
            ScanIn(
                scan_id=scan["scan_id"],
                scanned_at=scan["scanned_at"],
                checkin_code=scan.get("checkin_code") or "",
                enrollment_no=scan.get("enrollment_no") or "",
                session=scan.get("session") or "",
            )
            for scan in given["scans"]
        ]
        results = attendance_batch_record(event=event_get(event_id), scans=scans, actor=request.user)
        body = [
            {
                "scan_id": result.scan_id,
                "status": result.status,
                "code": result.code or None,
                "attendance_id": result.attendance_id,
                "enrollment_no": result.enrollment_no or None,
            }
            for result in results
        ]
        return Response({"results": body})
