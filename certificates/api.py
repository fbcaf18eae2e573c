"""JSON views of certificates: issue (one or all eligible), revoke, and public verification."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.models import TITLE_MAX_LENGTH, CertificateKind
from certificates.selectors import certificate_get, certificate_public_view
from certificates.services import (
    certificate_issue,
    certificate_issue_all_eligible,
    certificate_issue_many,
    certificate_revoke,
)
from events.api import EVENT_ID_PARAMETER
from events.selectors import event_get
from eventsite.errors import ValidationFailed
from eventsite.schema import errors
from eventsite.text import multiline_text
from registrations.api import ENROLLMENT_NO_HELP, enrollment_no_or_own

BULK_MAX = 5000


class CertificateIssueInputSerializer(serializers.Serializer):
    enrollment_no = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text=ENROLLMENT_NO_HELP)
    all_eligible = serializers.BooleanField(
        required=False, default=False, help_text="Issue participation certificates to every eligible student."
    )
    enrollment_nos = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        min_length=1,
        max_length=BULK_MAX,
        help_text="Issue this kind (and title) to each of these students; answered like all_eligible.",
    )
    kind = serializers.ChoiceField(
        choices=CertificateKind.choices,
        default=CertificateKind.PARTICIPATION,
        help_text="participation (by the attendance rule), merit (with a title), volunteer, organizer.",
    )
    title = serializers.CharField(
        max_length=TITLE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text='What the certificate recognises, such as "Winner"; required for merit.',
    )


class CertificateOutputSerializer(serializers.Serializer):
    certificate_id = serializers.CharField()
    enrollment_no = serializers.CharField(source="student_id")
    event_id = serializers.CharField()
    issued_at = serializers.DateTimeField()
    verify_url = serializers.URLField(help_text="The public verification page.")
    status = serializers.ChoiceField(choices=["valid", "revoked"])
    kind = serializers.ChoiceField(choices=CertificateKind.choices)
    title = serializers.CharField()


class BulkIssueOutputSerializer(serializers.Serializer):
    issued = serializers.DictField(
        child=serializers.CharField(), help_text="enrollment_no -> certificate_id, for every holder afterwards."
    )
    skipped = serializers.DictField(child=serializers.CharField(), help_text="enrollment_no -> why (a code).")


class CertificateIssueApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="certificate_issue_create",
        summary="Issue a certificate, or all eligible ones (organizers)",
        description=(
            "One student: 201 with the new certificate, 200 with the one already issued. "
            '`{"all_eligible": true}` (participation) or `{"enrollment_nos": [...], "kind", "title"}`: '
            "200 with what was issued and what was skipped. One certificate per student, event and kind."
        ),
        parameters=[EVENT_ID_PARAMETER],
        request=CertificateIssueInputSerializer,
        responses={
            201: CertificateOutputSerializer,
            200: PolymorphicProxySerializer(
                component_name="CertificateIssueResult",
                serializers=[CertificateOutputSerializer, BulkIssueOutputSerializer],
                resource_type_field_name=None,
            ),
            **errors(403, 404, conflicts=("NOT_ELIGIBLE",)),
        },
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = CertificateIssueInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        event = event_get(event_id)
        if data["all_eligible"]:
            if data["kind"] != CertificateKind.PARTICIPATION:
                raise ValidationFailed.for_field("kind", "all_eligible issues participation certificates.")
            result = certificate_issue_all_eligible(event=event, actor=request.user)
            return Response(BulkIssueOutputSerializer(result).data)
        if "enrollment_nos" in data:
            result = certificate_issue_many(
                event=event,
                enrollment_nos=data["enrollment_nos"],
                kind=data["kind"],
                title=data["title"],
                actor=request.user,
            )
            return Response(BulkIssueOutputSerializer(result).data)
        certificate, created = certificate_issue(
            event=event,
            enrollment_no=enrollment_no_or_own(request, data.get("enrollment_no")),
            kind=data["kind"],
            title=data["title"],
            actor=request.user,
        )
        return Response(
            CertificateOutputSerializer(certificate).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CertificateRevokeInputSerializer(serializers.Serializer):
    enrollment_no = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=2000, validators=[multiline_text])
    kind = serializers.ChoiceField(
        choices=CertificateKind.choices, default=CertificateKind.PARTICIPATION, help_text="Which of their certificates."
    )


class CertificateRevokeOutputSerializer(serializers.Serializer):
    certificate_id = serializers.CharField()
    revoked_at = serializers.DateTimeField()
    reason = serializers.CharField(source="revoked_reason")
    status = serializers.ChoiceField(choices=["valid", "revoked"])


class CertificateRevokeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="certificate_revoke_create",
        summary="Revoke a certificate, keeping it with the reason (organizers)",
        parameters=[EVENT_ID_PARAMETER],
        request=CertificateRevokeInputSerializer,
        responses={200: CertificateRevokeOutputSerializer, **errors(403)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        given = CertificateRevokeInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        certificate = certificate_revoke(event=event_get(event_id), actor=request.user, **given.validated_data)
        return Response(CertificateRevokeOutputSerializer(certificate).data)


class EventDatesSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class CertificateVerifyOutputSerializer(serializers.Serializer):
    certificate_id = serializers.CharField()
    valid = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["valid", "revoked"])
    student_name = serializers.CharField()
    event_title = serializers.CharField()
    event_dates = EventDatesSerializer()
    issued_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=CertificateKind.choices)
    title = serializers.CharField(help_text='Such as "Winner"; empty when none.')
    heading = serializers.CharField(help_text='What it is, in words: "Certificate of Merit: Winner".')


class CertificateVerifyApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="certificates_verify_retrieve",
        summary="Verify a certificate (public: no contacts, no enrollment number)",
        parameters=[
            OpenApiParameter(
                "certificate_id",
                str,
                OpenApiParameter.PATH,
                pattern="^[0-9A-Za-z]+$",
                examples=[OpenApiExample("A certificate", value="C0123456789ABCDEF")],
            )
        ],
        responses={200: CertificateVerifyOutputSerializer},
    )
    def get(self, request: Request, certificate_id: str) -> Response:
        view = certificate_public_view(certificate_get(certificate_id))
        return Response(CertificateVerifyOutputSerializer(view).data)
