"""JSON views of events: the list, one event, its status maps and its analytics."""

from datetime import datetime

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import parsers, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.attendance_rules import rule_of
from events.audience import audience_sentence
from events.models import REMINDER_OFFSET_MAX_MINUTES, REMINDER_OFFSETS_MAX, Event, EventPoster, EventQuestion
from events.selectors import (
    event_counts_of,
    event_details,
    event_get_for_organizer,
    event_get_visible,
    event_list_published,
    event_user_is_organizer,
)
from events.services import (
    CANCELLATION_REASON_MAX,
    AttendanceRuleSpec,
    QuestionSpec,
    SessionSpec,
    event_approve,
    event_cancel,
    event_create,
    event_poster_remove,
    event_poster_set,
    event_publish,
    event_update,
)
from eventsite.errors import NotFound, PermissionDenied
from eventsite.pagination import PAGE_PARAMETERS, paginated, paginated_response
from eventsite.schema import NO_INPUT, SLUG_PATTERN, ErrorSerializer, errors
from eventsite.serializers import NestedInputSerializer, Serializer, validated
from eventsite.text import multiline_text, single_line_text

EVENT_ID_PARAMETER = OpenApiParameter(
    "event_id",
    str,
    OpenApiParameter.PATH,
    description="The event's slug.",
    pattern=SLUG_PATTERN,
    examples=[OpenApiExample("An event", value="hackfest-2026")],
)

# Years outside this range are typing mistakes, and far-off ones overflow time zone arithmetic.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class EventDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value) -> datetime:
        try:
            parsed = super().to_internal_value(value)
        except (OverflowError, ValueError):
            self.fail("invalid", format="ISO 8601")
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise serializers.ValidationError(f"Give a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        return parsed


# Output


class CountsSerializer(Serializer):
    registered = serializers.IntegerField(help_text="Confirmed students.")
    waitlisted = serializers.IntegerField(help_text="Students on the waitlist.")
    teams = serializers.IntegerField(help_text="Active (confirmed or waitlisted) teams.")
    attended = serializers.IntegerField(help_text="Students checked in at least once.")
    feedbacks = serializers.IntegerField()
    certificates = serializers.IntegerField(help_text="Valid (not revoked) certificates.")


class SessionOutputSerializer(Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)


class AttendanceRuleSerializer(NestedInputSerializer):
    """``{"kind": "min_sessions", "n"}``, ``{"kind": "percentage", "percent"}``, ``{"kind": "all"}``
    or ``{"kind": "mandatory", "sessions": [codes], "min_sessions"}``."""

    kind = serializers.ChoiceField(choices=Event.AttendanceRule.choices)
    n = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="min_sessions: sessions to attend (at least one)."
    )
    percent = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text="percentage: share of the sessions, rounded up."
    )
    sessions = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        required=False,
        max_length=50,
        help_text="mandatory: codes of the sessions every certificate needs.",
    )
    min_sessions = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="mandatory: sessions to attend in all (default 0)."
    )

    def validate(self, data: dict) -> dict:
        data = super().validate(data)
        needs = {"min_sessions": "n", "percentage": "percent", "mandatory": "sessions"}.get(data["kind"])
        if needs and needs not in data:
            raise serializers.ValidationError({needs: [f"The {data['kind']} rule needs {needs}."]})
        return data


def _rule_spec(data: dict) -> AttendanceRuleSpec:
    kind = data["kind"]
    n = data.get("min_sessions", 0) if kind == Event.AttendanceRule.MANDATORY else data.get("n", 1)
    return AttendanceRuleSpec(
        kind=kind, n=n, percent=data.get("percent", 100), sessions=tuple(dict.fromkeys(data.get("sessions", [])))
    )


class QuestionSerializer(NestedInputSerializer):
    code = serializers.CharField(max_length=40)
    label = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=EventQuestion.Kind.choices, default=EventQuestion.Kind.TEXT)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
    required = serializers.BooleanField(required=False, default=False)


class PosterSerializer(Serializer):
    url = serializers.CharField(help_text="Absolute address of the image; it changes when the poster does.")
    content_type = serializers.ChoiceField(choices=["image/jpeg", "image/png"])
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt_text = serializers.CharField(help_text="What the poster shows, for students who cannot see it.")


def poster_json(event: Event, poster: EventPoster) -> dict:
    return {
        "url": settings.SITE_URL + poster.get_absolute_url(),
        "content_type": poster.content_type,
        "width": poster.width,
        "height": poster.height,
        "alt_text": poster.alt_for(event),
    }


class EventOutputSerializer(Serializer):
    event_id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    venue = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    registration_opens_at = serializers.DateTimeField(allow_null=True)
    registration_closes_at = serializers.DateTimeField(allow_null=True)
    capacity = serializers.IntegerField(allow_null=True)
    registration_mode = serializers.ChoiceField(choices=Event.Mode.choices)
    team_size_min = serializers.IntegerField()
    team_size_max = serializers.IntegerField()
    waitlist_enabled = serializers.BooleanField()
    sessions = SessionOutputSerializer(many=True)
    min_sessions_for_certificate = serializers.SerializerMethodField(
        help_text="The min_sessions form of the rule: N, or for another rule the sessions it needs now."
    )
    attendance_rule = serializers.SerializerMethodField()
    certificate_requires_feedback = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Event.Status.choices)
    phase = serializers.ChoiceField(choices=Event.Phase.choices, help_text="From the clock; read-only.")
    organizers = serializers.SerializerMethodField(help_text="Usernames.")
    club = serializers.CharField(
        source="club_id", allow_null=True, help_text="The club's slug; its owners and organizers organize the event."
    )
    counts = serializers.SerializerMethodField()
    reminder_offsets_minutes = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Minutes before the start at which each confirmed student gets a reminder email.",
    )
    questions = serializers.SerializerMethodField(help_text="Asked at registration, in order.")
    certificate_template = serializers.IntegerField(
        source="certificate_template_id", allow_null=True, help_text="The template its certificates are drawn with."
    )
    contact_email = serializers.CharField(help_text="The event's own contact address; empty: none of its own.")
    contact = serializers.CharField(help_text="Whom students write to: contact_email, else the club's; empty: none.")
    poster = serializers.SerializerMethodField(help_text="The poster image, or null.")

    @extend_schema_field(PosterSerializer(allow_null=True))
    def get_poster(self, event: Event) -> dict | None:
        poster = getattr(event, "poster", None)
        return poster_json(event, poster) if poster is not None else None

    eligible_departments = serializers.ListField(
        child=serializers.CharField(), help_text="Department codes that may register; empty: every department."
    )
    eligible_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="Years of study that may register; empty: every year."
    )
    access_code_required = serializers.BooleanField(help_text="Invite-only: registering needs an access code.")
    approval_required = serializers.BooleanField(
        help_text="Registrations wait as `pending`, holding no seat, until an organizer approves them."
    )
    audience = serializers.SerializerMethodField(
        help_text='Who may register, in a sentence ("This event is for CSE students in year 3."); null: everyone.'
    )

    def get_audience(self, event: Event) -> str | None:
        return audience_sentence(event)

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, event: Event) -> list[dict]:
        return [
            {"code": q.code, "label": q.label, "kind": q.kind, "choices": q.choices, "required": q.required}
            for q in event.questions.all()
            if not q.archived
        ]

    def get_min_sessions_for_certificate(self, event: Event) -> int:
        if event.attendance_rule_kind == Event.AttendanceRule.MIN_SESSIONS:
            return event.min_sessions_for_certificate
        return rule_of(event).required

    @extend_schema_field(AttendanceRuleSerializer)
    def get_attendance_rule(self, event: Event) -> dict:
        return rule_of(event).as_json()

    def get_organizers(self, event: Event) -> list[str]:
        return [user.username for user in event.organizers.all()]

    @extend_schema_field(CountsSerializer)
    def get_counts(self, event: Event) -> dict[str, int]:
        return event_counts_of(event)


# Input


class SessionInputSerializer(NestedInputSerializer):
    code = serializers.SlugField(max_length=40)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, validators=[single_line_text])
    starts_at = EventDateTimeField(required=False, allow_null=True)


class EventInputSerializer(Serializer):
    title = serializers.CharField(max_length=200, validators=[single_line_text])
    description = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, validators=[multiline_text]
    )
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, validators=[single_line_text])
    starts_at = EventDateTimeField()
    ends_at = EventDateTimeField()
    registration_opens_at = EventDateTimeField(required=False, allow_null=True)
    registration_closes_at = EventDateTimeField(required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    registration_mode = serializers.ChoiceField(choices=Event.Mode.choices, required=False)
    team_size_min = serializers.IntegerField(min_value=1, max_value=100, required=False)
    team_size_max = serializers.IntegerField(min_value=1, max_value=100, required=False)
    waitlist_enabled = serializers.BooleanField(required=False)
    sessions = SessionInputSerializer(many=True, required=False, max_length=50)
    min_sessions_for_certificate = serializers.IntegerField(min_value=0, max_value=100, required=False)
    attendance_rule = AttendanceRuleSerializer(required=False)
    certificate_requires_feedback = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=Event.Status.choices, required=False)
    organizers = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, max_length=100, help_text="Usernames; staff only."
    )
    reminder_offsets_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=REMINDER_OFFSET_MAX_MINUTES),
        required=False,
        max_length=REMINDER_OFFSETS_MAX,
        help_text="Minutes before the start, e.g. [1440, 60] (the default): a day and an hour before; [] for none.",
    )
    club = serializers.SlugField(
        max_length=64,
        required=False,
        allow_null=True,
        help_text="The club's slug. Creating: staff, or an owner or organizer of this club. Changing: staff.",
    )

    questions = QuestionSerializer(many=True, required=False, max_length=50)
    certificate_template = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="A template id of the event's club or a college-wide one; null: the plain layout.",
    )
    contact_email = serializers.EmailField(
        required=False, allow_blank=True, help_text="Shown on the event's page; empty: the club's address."
    )
    eligible_departments = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        max_length=50,
        help_text="Department codes such as CSE; [] for every department.",
    )
    eligible_years = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=6),
        required=False,
        max_length=6,
        help_text="Years of study 1 to 6; [] for every year.",
    )
    access_code_required = serializers.BooleanField(
        required=False, help_text="Invite-only: registering needs a code from POST .../access-codes."
    )
    approval_required = serializers.BooleanField(
        required=False, help_text="Registrations wait as `pending` until an organizer approves them."
    )

    def validate_sessions(self, sessions: list[dict]) -> list[dict]:
        # The list replaces the event's sessions, so even in a partial update each one is whole.
        if any("code" not in session for session in sessions):
            raise serializers.ValidationError("Each session needs a code.")
        return sessions


class EventCreateInputSerializer(EventInputSerializer):
    event_id = serializers.SlugField(max_length=64, help_text="The event's slug, e.g. hackfest-2026.")


class EventListFilterSerializer(Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Words to look for.")
    status = serializers.ChoiceField(choices=["open", "upcoming", "past"], required=False)
    club = serializers.SlugField(required=False, max_length=64, help_text="Only the events of this club (its slug).")
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        validators=[single_line_text],
        help_text="Only the events of clubs of this department (e.g. CSE; any case).",
    )


def _service_arguments(data: dict) -> dict:
    """Validated input -> keyword arguments of event_create / event_update."""
    arguments = dict(data)
    if "sessions" in arguments:
        arguments["sessions"] = [
            SessionSpec(code=spec["code"], title=spec.get("title", ""), starts_at=spec.get("starts_at"))
            for spec in arguments["sessions"]
        ]
    if "attendance_rule" in arguments:
        arguments["attendance_rule"] = _rule_spec(arguments["attendance_rule"])
    if "questions" in arguments:
        arguments["questions"] = [
            QuestionSpec(
                code=spec["code"],
                label=spec["label"],
                kind=spec.get("kind", EventQuestion.Kind.TEXT),
                choices=tuple(spec.get("choices", ())),
                required=spec.get("required", False),
            )
            for spec in arguments["questions"]
        ]
    return arguments


def _event_body(event_id: str, request: Request) -> dict:
    """The event as the request's user sees it now: read again after a change, with its counts."""
    return EventOutputSerializer(event_get_visible(event_id, request.user)).data


class EventListCreateApi(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="events_list",
        summary="Published events: those to come or under way first (soonest first), then past ones (latest first)",
        parameters=[EventListFilterSerializer, *PAGE_PARAMETERS],
        responses={200: paginated(EventOutputSerializer), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = validated(EventListFilterSerializer, request.query_params)
        events = event_details(event_list_published(**filters))
        return paginated_response(queryset=events, serializer_class=EventOutputSerializer, request=request, view=self)

    @extend_schema(
        operation_id="events_create",
        summary="Create an event (staff; or a draft by an owner or organizer of its club)",
        request=EventCreateInputSerializer,
        responses={201: EventOutputSerializer, **errors(403, conflicts=("ALREADY_EXISTS",))},
    )
    def post(self, request: Request) -> Response:
        given = validated(EventCreateInputSerializer, request.data)
        event = event_create(actor=request.user, **_service_arguments(given))
        return Response(_event_body(event.pk, request), status=status.HTTP_201_CREATED)


class EventDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="events_retrieve",
        summary="One event (drafts: organizers and staff only)",
        parameters=[EVENT_ID_PARAMETER],
        responses={200: EventOutputSerializer},
    )
    def get(self, request: Request, event_id: str) -> Response:
        return Response(_event_body(event_id, request))

    @extend_schema(
        operation_id="events_partial_update",
        summary="Change an event (its organizers and staff; organizers list: staff)",
        parameters=[EVENT_ID_PARAMETER],
        request=EventInputSerializer(partial=True),
        responses={200: EventOutputSerializer, **errors(403)},
    )
    def patch(self, request: Request, event_id: str) -> Response:
        event = event_get_visible(event_id, request.user)
        if not event_user_is_organizer(event, request.user):
            raise PermissionDenied("Only this event's organizers can change it.")
        given = validated(EventInputSerializer, request.data, partial=True)
        event_update(event=event, actor=request.user, **_service_arguments(given))
        return Response(_event_body(event_id, request))


class EventCancelInputSerializer(Serializer):
    reason = serializers.CharField(
        max_length=CANCELLATION_REASON_MAX,
        required=False,
        allow_blank=True,
        help_text="Told to every registrant in the email.",
    )


class EventPublishApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="events_publish",
        summary="Publish a draft (its organizers); pending_approval when staff must approve it",
        parameters=[EVENT_ID_PARAMETER],
        request=NO_INPUT,
        responses={200: EventOutputSerializer, **errors(400, 403)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        event = event_get_visible(event_id, request.user)
        event_publish(event=event, actor=request.user)
        return Response(_event_body(event_id, request))


class EventApproveApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="events_approve",
        summary="Approve and publish an event awaiting approval (staff)",
        parameters=[EVENT_ID_PARAMETER],
        request=NO_INPUT,
        responses={200: EventOutputSerializer, **errors(400, 403)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        event = event_get_visible(event_id, request.user)
        event_approve(event=event, actor=request.user)
        return Response(_event_body(event_id, request))


class EventCancelApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="events_cancel",
        summary="Cancel the event and every active registration; each registrant is emailed (its organizers)",
        parameters=[EVENT_ID_PARAMETER],
        request=EventCancelInputSerializer,
        responses={200: EventOutputSerializer, **errors(403)},
    )
    def post(self, request: Request, event_id: str) -> Response:
        event = event_get_visible(event_id, request.user)
        given = validated(EventCancelInputSerializer, request.data)
        event_cancel(event=event, actor=request.user, **given)
        return Response(_event_body(event_id, request))


class PosterInputSerializer(Serializer):
    poster = serializers.FileField(help_text="JPEG, PNG or WebP; re-encoded, its metadata (EXIF, GPS) removed.")
    alt_text = serializers.CharField(
        required=False, allow_blank=True, max_length=EventPoster.ALT_TEXT_MAX_LENGTH, validators=[single_line_text]
    )


class EventPosterApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        operation_id="events_poster_set",
        summary="Upload or replace the event's poster as multipart/form-data (its organizers)",
        parameters=[EVENT_ID_PARAMETER],
        request={"multipart/form-data": PosterInputSerializer},
        responses={
            200: PosterSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                "VALIDATION_ERROR (no file, alt_text not valid) or IMAGE_INVALID (not a whole JPEG, PNG or WebP "
                "image); details.field names the upload.",
            ),
            413: OpenApiResponse(
                ErrorSerializer,
                "PAYLOAD_TOO_LARGE (more bytes than IMAGE_UPLOAD_MAX_BYTES) or IMAGE_TOO_LARGE (more pixels than "
                "IMAGE_UPLOAD_MAX_PIXELS, decompression bombs included).",
            ),
            415: OpenApiResponse(ErrorSerializer, "VALIDATION_ERROR: send the image as multipart/form-data."),
            **errors(403),
        },
    )
    def post(self, request: Request, event_id: str) -> Response:
        event = event_get_for_organizer(event_id, request.user)
        given = validated(PosterInputSerializer, request.data)
        poster = event_poster_set(
            event=event,
            upload=given["poster"],
            alt_text=given.get("alt_text", ""),
            actor=request.user,
        )
        return Response(PosterSerializer(poster_json(event, poster)).data)

    @extend_schema(
        operation_id="events_poster_remove",
        summary="Take the poster off the event (its organizers)",
        parameters=[EVENT_ID_PARAMETER],
        responses={204: None, **errors(403)},
    )
    def delete(self, request: Request, event_id: str) -> Response:
        event = event_get_for_organizer(event_id, request.user)
        if not event_poster_remove(event=event, actor=request.user):
            raise NotFound("This event has no poster.", details={"what": "poster", "key": event.pk})
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventStatusOutputSerializer(Serializer):
    event_id = serializers.CharField()
    registrations = serializers.DictField(child=serializers.CharField(), help_text="enrollment_no -> registration_id")
    waitlist = serializers.DictField(child=serializers.CharField(), help_text="In waitlist order.")
    team_registrations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="team_name -> {enrollment_no: registration_id}",
    )
    attendances = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="enrollment_no -> [attendance_id]"
    )
    feedbacks = serializers.DictField(child=serializers.CharField(), help_text="enrollment_no -> feedback_id")
    certificates = serializers.DictField(child=serializers.CharField(), help_text="enrollment_no -> certificate_id")
    counts = CountsSerializer()


class EventStatusApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="status_retrieve",
        summary="The event's six enrollment-keyed maps (organizers)",
        parameters=[EVENT_ID_PARAMETER],
        responses={200: EventStatusOutputSerializer, **errors(403)},
    )
    def get(self, request: Request, event_id: str) -> Response:
        event = event_get_for_organizer(event_id, request.user)
        maps = {
            "registrations": dict(event.registrations),
            "waitlist": dict(event.waitlist),
            "team_registrations": dict(event.team_registrations),
            "attendances": dict(event.attendances),
            "feedbacks": dict(event.feedbacks),
            "certificates": dict(event.certificates),
        }
        counts = {
            "registered": len(maps["registrations"]),
            "waitlisted": len(maps["waitlist"]),
            "teams": len(maps["team_registrations"]),
            "attended": len(maps["attendances"]),
            "feedbacks": len(maps["feedbacks"]),
            "certificates": len(maps["certificates"]),
        }
        return Response(EventStatusOutputSerializer({"event_id": event.pk, **maps, "counts": counts}).data)
