"""JSON views of certificates: issue (one or all eligible), revoke, public verification, the
templates certificates are drawn with, and a student's history and standing at an event (they show the
certificates held)."""

import json

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.eligibility import student_eligibility
from certificates.models import (
    REVOCATION_REASON_MAX,
    SIGNATORIES_MAX,
    TITLE_MAX_LENGTH,
    CertificateKind,
    CertificateTemplate,
)
from certificates.selectors import (
    certificate_get,
    certificate_public_view,
    certificate_template_get_managed,
    certificate_template_list_managed,
    student_history,
)
from certificates.services import (
    Signatory,
    certificate_issue,
    certificate_issue_all_eligible,
    certificate_issue_many,
    certificate_revoke,
    certificate_template_create,
    certificate_template_update,
)
from clubs.selectors import club_named
from events.api import EVENT_ID_PARAMETER
from events.selectors import event_get
from eventsite.errors import ValidationFailed
from eventsite.pagination import PAGE_PARAMETERS, paginated, paginated_response
from eventsite.parsers import SafeJSONParser
from eventsite.schema import CODE_PATTERN, ErrorSerializer, errors
from eventsite.serializers import NestedInputSerializer, Serializer, validated
from eventsite.text import multiline_text, single_line_text
from registrations.api import (
    ENROLLMENT_NO_HELP,
    ENROLLMENT_NO_PARAMETER,
    StudentOutputSerializer,
    enrollment_no_in_path,
    enrollment_no_or_own,
    student_for,
)
from registrations.models import RegistrationStatus
from registrations.selectors import registration_answers, student_event_record_for

BULK_MAX = 5000


class CertificateIssueInputSerializer(Serializer):
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


class CertificateOutputSerializer(Serializer):
    certificate_id = serializers.CharField()
    enrollment_no = serializers.CharField(source="student_id")
    event_id = serializers.CharField()
    issued_at = serializers.DateTimeField()
    verify_url = serializers.URLField(help_text="The public verification page.")
    status = serializers.ChoiceField(choices=["valid", "revoked"])
    kind = serializers.ChoiceField(choices=CertificateKind.choices)
    title = serializers.CharField()


class BulkIssueOutputSerializer(Serializer):
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
        data = validated(CertificateIssueInputSerializer, request.data)
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


class CertificateRevokeInputSerializer(Serializer):
    enrollment_no = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=REVOCATION_REASON_MAX, validators=[multiline_text])
    kind = serializers.ChoiceField(
        choices=CertificateKind.choices, default=CertificateKind.PARTICIPATION, help_text="Which of their certificates."
    )


class CertificateRevokeOutputSerializer(Serializer):
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
        given = validated(CertificateRevokeInputSerializer, request.data)
        certificate = certificate_revoke(event=event_get(event_id), actor=request.user, **given)
        return Response(CertificateRevokeOutputSerializer(certificate).data)


class EventDatesSerializer(Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class CertificateVerifyOutputSerializer(Serializer):
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
    institution = serializers.CharField(help_text="Who issued it, from the event's template; empty: none named.")


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
                pattern=CODE_PATTERN,
                examples=[OpenApiExample("A certificate", value="C0123456789ABCDEF")],
            )
        ],
        responses={200: CertificateVerifyOutputSerializer},
    )
    def get(self, request: Request, certificate_id: str) -> Response:
        view = certificate_public_view(certificate_get(certificate_id))
        return Response(CertificateVerifyOutputSerializer(view).data)


# A student's history and standing, with their certificates


class HeldCertificateSerializer(Serializer):
    certificate_id = serializers.CharField()
    kind = serializers.CharField(help_text="participation, merit, volunteer or organizer.")
    title = serializers.CharField(help_text='Such as "Winner"; empty when none.')
    verify_url = serializers.URLField()


class HistoryEntryOutputSerializer(Serializer):
    event_id = serializers.CharField(source="event.pk")
    title = serializers.CharField(source="event.title")
    starts_at = serializers.DateTimeField(source="event.starts_at")
    registration_id = serializers.CharField(source="registration.registration_id")
    status = serializers.ChoiceField(choices=RegistrationStatus.choices, source="registration.status")
    team_name = serializers.CharField(allow_null=True)
    role = serializers.ChoiceField(choices=["individual", "team_leader", "team_member"])
    checkin_code = serializers.SerializerMethodField(help_text="Only while the registration is confirmed.")
    attendance_ids = serializers.ListField(child=serializers.CharField())
    feedback_id = serializers.CharField(allow_null=True)
    certificate_id = serializers.CharField(allow_null=True, help_text="The participation certificate.")
    certificates = HeldCertificateSerializer(many=True, help_text="Every valid certificate, of every kind.")

    def get_checkin_code(self, entry) -> str | None:
        registration = entry.registration
        return registration.checkin_code if registration.status == RegistrationStatus.CONFIRMED else None


class HistoryOutputSerializer(Serializer):
    student = StudentOutputSerializer()
    events = HistoryEntryOutputSerializer(many=True, help_text="Latest event first.")


class StudentHistoryApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="students_history_retrieve",
        summary="Everything a student did at every event (the student themself and staff)",
        parameters=[ENROLLMENT_NO_PARAMETER],
        responses={200: HistoryOutputSerializer, **errors(403)},
    )
    def get(self, request: Request, enrollment_no: str) -> Response:
        student = student_for(request, enrollment_no)
        return Response(HistoryOutputSerializer({"student": student, "events": student_history(student)}).data)


class EligibilitySerializer(Serializer):
    eligible = serializers.BooleanField(help_text="May hold a participation certificate now.")
    attended = serializers.IntegerField(help_text="Sessions of the event attended.")
    required = serializers.IntegerField(help_text="Sessions the event's attendance rule needs.")
    missing = serializers.ListField(
        child=serializers.CharField(), help_text='What is still missing, in words: "1 more session", "feedback".'
    )
    message = serializers.CharField(
        help_text='Where the student stands: "You attended 1 of the 2 sessions needed; feedback is still due."'
    )


class LookupOutputSerializer(Serializer):
    enrollment_no = serializers.CharField()
    event_id = serializers.CharField()
    student = StudentOutputSerializer()
    registration_id = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=RegistrationStatus.choices, allow_null=True)
    team_name = serializers.CharField(allow_null=True)
    checkin_code = serializers.CharField(allow_null=True)
    attendance_ids = serializers.ListField(child=serializers.CharField())
    feedback_id = serializers.CharField(allow_null=True)
    certificate_id = serializers.CharField(allow_null=True)
    eligibility = serializers.SerializerMethodField(
        help_text="Where the student stands against the event's attendance rule."
    )
    answers = serializers.SerializerMethodField(help_text="The registration's answers, {code: value}.")

    def get_registration_id(self, record) -> str | None:
        return record.registration.registration_id if record.registration else None

    @extend_schema_field(serializers.DictField())
    def get_answers(self, record) -> dict:
        return registration_answers(record.registration) if record.registration else {}

    @extend_schema_field(EligibilitySerializer)
    def get_eligibility(self, record) -> dict:
        return self.context["eligibility"].as_json()


class LookupApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="lookup_retrieve",
        summary="One student at one event (the student themself and the event's organizers)",
        parameters=[ENROLLMENT_NO_PARAMETER, EVENT_ID_PARAMETER],
        responses={200: LookupOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, enrollment_no: str, event_id: str) -> Response:
        event = event_get(event_id)
        record = student_event_record_for(request.user, enrollment_no_in_path(enrollment_no), event)
        standing = student_eligibility(
            event,
            record.enrollment_no,
            confirmed=record.status == RegistrationStatus.CONFIRMED,
            attended_sessions=record.attended_session_ids,
            gave_feedback=record.feedback_id is not None,
        )
        return Response(LookupOutputSerializer(record, context={"eligibility": standing}).data)


# Templates


class SignatorySerializer(NestedInputSerializer):
    name = serializers.CharField(max_length=100)
    designation = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SignatoriesField(serializers.ListField):
    """A list of signatories; in a multipart body (which carries only strings) the list as a JSON string."""

    child = SignatorySerializer()

    def __init__(self, **kwargs):
        super().__init__(max_length=SIGNATORIES_MAX, **kwargs)

    def get_value(self, dictionary):
        # A multipart body holds one string; the list field would otherwise look for signatories[0]...
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(
                    'Send the signatories as a JSON list, such as [{"name": "A. Rao", "designation": "Principal"}].'
                ) from None
        return super().to_internal_value(data)


class TemplateInputSerializer(Serializer):
    name = serializers.CharField(max_length=100, validators=[single_line_text])
    institution = serializers.CharField(max_length=200, validators=[single_line_text])
    accent_color = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$",
        required=False,
        error_messages={"invalid": "Give a hex colour such as #1f5f8b."},
    )
    body = serializers.CharField(
        max_length=1000,
        required=False,
        validators=[multiline_text],
        help_text="The wording, with {student_name}, {event_title}, {event_dates} and {title}.",
    )
    signatories = SignatoriesField(required=False, help_text="At most three; with multipart, a JSON string.")
    logo = serializers.FileField(required=False, help_text="PNG or JPEG (multipart).")
    signature_1 = serializers.FileField(required=False, help_text="The first signatory's signature, PNG or JPEG.")
    signature_2 = serializers.FileField(required=False)
    signature_3 = serializers.FileField(required=False)


class TemplateCreateInputSerializer(TemplateInputSerializer):
    club = serializers.SlugField(
        max_length=64, required=False, allow_null=True, help_text="The club's slug; none: college-wide (staff)."
    )


class TemplateSignatoryOutputSerializer(SignatorySerializer):
    has_signature = serializers.BooleanField()


class TemplateOutputSerializer(Serializer):
    template_id = serializers.IntegerField(source="pk")
    club = serializers.CharField(source="club_id", allow_null=True)
    name = serializers.CharField()
    institution = serializers.CharField()
    accent_color = serializers.CharField()
    body = serializers.CharField()
    signatories = serializers.SerializerMethodField()
    has_logo = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField(help_text="A PDF drawn with sample data (its designers).")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(TemplateSignatoryOutputSerializer(many=True))
    def get_signatories(self, template: CertificateTemplate) -> list[dict]:
        images = template.signature_images()
        return [
            {**signatory, "has_signature": bool(images[position])}
            for position, signatory in enumerate(template.signatories)
        ]

    def get_has_logo(self, template: CertificateTemplate) -> bool:
        return bool(template.logo)

    def get_preview_url(self, template: CertificateTemplate) -> str:
        return settings.SITE_URL + reverse("certificate-template-preview", args=[template.pk])


def _template_arguments(data: dict) -> dict:
    """Validated input -> keyword arguments of the template services (the uploads as they came)."""
    arguments = {name: value for name, value in data.items() if not name.startswith("signature_") and name != "logo"}
    if "signatories" in arguments:
        arguments["signatories"] = [Signatory(**signatory) for signatory in arguments["signatories"]]
    if "logo" in data:
        arguments["logo"] = data["logo"]
    arguments["signatures"] = {
        position: data[f"signature_{position}"]
        for position in range(1, SIGNATORIES_MAX + 1)
        if f"signature_{position}" in data
    }
    return arguments


TEMPLATE_ID_PARAMETER = OpenApiParameter("template_id", int, OpenApiParameter.PATH, description="The template's id.")
TEMPLATE_PARSERS = [SafeJSONParser, MultiPartParser]
IMAGE_ERRORS = "IMAGE_INVALID: an image is not PNG or JPEG, or is damaged (details.field names it)"


def _template_errors(*statuses: int) -> dict:
    documented = errors(*statuses)
    documented[400] = OpenApiResponse(
        ErrorSerializer, f"VALIDATION_ERROR (a field, an unknown placeholder or a stray brace), or {IMAGE_ERRORS}."
    )
    documented[413] = OpenApiResponse(
        ErrorSerializer,
        "IMAGE_TOO_LARGE: an image has too many pixels (a decompression bomb is refused undecoded); "
        "PAYLOAD_TOO_LARGE: a file or the body is larger than the server accepts.",
    )
    return documented


class CertificateTemplateListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = TEMPLATE_PARSERS

    @extend_schema(
        operation_id="certificate_templates_list",
        summary="Certificate templates (staff all; a club's owners the club's)",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(TemplateOutputSerializer), **errors(404)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=certificate_template_list_managed(request.user),
            serializer_class=TemplateOutputSerializer,
            request=request,
            view=self,
        )

    @extend_schema(
        operation_id="certificate_templates_create",
        summary="Design a certificate template (staff; a club's owners for the club)",
        description="JSON, or multipart/form-data with the images `logo` and `signature_1`..`signature_3` "
        "and `signatories` as a JSON string.",
        request={
            "application/json": TemplateCreateInputSerializer,
            "multipart/form-data": TemplateCreateInputSerializer,
        },
        responses={201: TemplateOutputSerializer, **_template_errors(403)},
    )
    def post(self, request: Request) -> Response:
        given = validated(TemplateCreateInputSerializer, request.data)
        arguments = _template_arguments(given)
        club_id = arguments.pop("club", None)
        club = club_named(club_id or None)
        template = certificate_template_create(club=club, actor=request.user, **arguments)
        return Response(TemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)


class CertificateTemplateDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = TEMPLATE_PARSERS

    @extend_schema(
        operation_id="certificate_templates_retrieve",
        summary="One certificate template (its designers)",
        parameters=[TEMPLATE_ID_PARAMETER],
        responses={200: TemplateOutputSerializer},
    )
    def get(self, request: Request, template_id: int) -> Response:
        return Response(TemplateOutputSerializer(certificate_template_get_managed(template_id, request.user)).data)

    @extend_schema(
        operation_id="certificate_templates_partial_update",
        summary="Change a certificate template (its designers); images replace the ones kept",
        parameters=[TEMPLATE_ID_PARAMETER],
        request={
            "application/json": TemplateInputSerializer(partial=True),
            "multipart/form-data": TemplateInputSerializer(partial=True),
        },
        responses={200: TemplateOutputSerializer, **_template_errors(403)},
    )
    def patch(self, request: Request, template_id: int) -> Response:
        template = certificate_template_get_managed(template_id, request.user)
        given = validated(TemplateInputSerializer, request.data, partial=True)
        template = certificate_template_update(template=template, actor=request.user, **_template_arguments(given))
        return Response(TemplateOutputSerializer(template).data)
