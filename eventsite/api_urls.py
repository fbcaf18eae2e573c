"""Every endpoint of API.md under /api/v2/."""

from django.urls import path, register_converter

from analytics import api as analytics_api
from certificates import api as certificates_api
from clubs import api as clubs_api
from comms import api as comms_api
from door import api as door_api
from events import api as events_api
from eventsite.schema import CODE_REGEX
from registrations import api as registrations_api
from registrations import team_api


class CodeConverter:
    """Enrollment numbers and certificate ids: letters and digits only, so nothing else reaches a query."""

    regex = CODE_REGEX

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")

urlpatterns = [
    path("auth/token/", registrations_api.AuthTokenApi.as_view(), name="api-auth-token"),
    path("auth/signup/", registrations_api.SignupApi.as_view(), name="api-auth-signup"),
    path("clubs/", clubs_api.ClubListCreateApi.as_view(), name="api-clubs"),
    path("clubs/<slug:club_id>/", clubs_api.ClubDetailApi.as_view(), name="api-club"),
    path("clubs/<slug:club_id>/members", clubs_api.ClubMembersApi.as_view(), name="api-club-members"),
    path("clubs/<slug:club_id>/members/<str:username>", clubs_api.ClubMemberApi.as_view(), name="api-club-member"),
    path("events/", events_api.EventListCreateApi.as_view(), name="api-events"),
    path("events/<slug:event_id>/", events_api.EventDetailApi.as_view(), name="api-event"),
    path("events/<slug:event_id>/publish", events_api.EventPublishApi.as_view(), name="api-event-publish"),
    path("events/<slug:event_id>/approve", events_api.EventApproveApi.as_view(), name="api-event-approve"),
    path("events/<slug:event_id>/cancel", events_api.EventCancelApi.as_view(), name="api-event-cancel"),
    path("events/<slug:event_id>/poster", events_api.EventPosterApi.as_view(), name="api-event-poster"),
    path(
        "register/individual/<slug:event_id>",
        registrations_api.RegisterIndividualApi.as_view(),
        name="api-register-individual",
    ),
    path("register/team/<slug:event_id>", registrations_api.RegisterTeamApi.as_view(), name="api-register-team"),
    path("events/<slug:event_id>/access-codes", registrations_api.AccessCodesApi.as_view(), name="api-access-codes"),
    path(
        "registrations/<code:registration_id>/approve",
        registrations_api.RegistrationApproveApi.as_view(),
        name="api-registration-approve",
    ),
    path(
        "registrations/<code:registration_id>/reject",
        registrations_api.RegistrationRejectApi.as_view(),
        name="api-registration-reject",
    ),
    path("register/cancel/<slug:event_id>", registrations_api.RegisterCancelApi.as_view(), name="api-register-cancel"),
    path("attendance/mark/<slug:event_id>", registrations_api.AttendanceMarkApi.as_view(), name="api-attendance-mark"),
    path("attendance/batch/<slug:event_id>", door_api.AttendanceBatchApi.as_view(), name="api-attendance-batch"),
    path("events/<slug:event_id>/scanner-links", door_api.ScannerLinksApi.as_view(), name="api-scanner-links"),
    path(
        "events/<slug:event_id>/scanner-links/<str:link_id>",
        door_api.ScannerLinkApi.as_view(),
        name="api-scanner-link",
    ),
    path("events/<slug:event_id>/roster/", registrations_api.EventRosterApi.as_view(), name="api-event-roster"),
    path("events/<slug:event_id>/checkin-roster", door_api.CheckinRosterApi.as_view(), name="api-checkin-roster"),
    path("feedback/submit/<slug:event_id>", registrations_api.FeedbackSubmitApi.as_view(), name="api-feedback-submit"),
    path(
        "certificate/issue/<slug:event_id>",
        certificates_api.CertificateIssueApi.as_view(),
        name="api-certificate-issue",
    ),
    path(
        "certificate/revoke/<slug:event_id>",
        certificates_api.CertificateRevokeApi.as_view(),
        name="api-certificate-revoke",
    ),
    path("teams/join/<slug:event_id>", team_api.TeamJoinApi.as_view(), name="api-team-join"),
    path("teams/<code:team_id>", team_api.TeamDetailApi.as_view(), name="api-team"),
    path("teams/<code:team_id>/accept", team_api.TeamAcceptApi.as_view(), name="api-team-accept"),
    path("teams/<code:team_id>/decline", team_api.TeamDeclineApi.as_view(), name="api-team-decline"),
    path("teams/<code:team_id>/invite", team_api.TeamInviteApi.as_view(), name="api-team-invite"),
    path("teams/<code:team_id>/leave", team_api.TeamLeaveApi.as_view(), name="api-team-leave"),
    path("teams/<code:team_id>/remove", team_api.TeamRemoveApi.as_view(), name="api-team-remove"),
    path("teams/<code:team_id>/transfer", team_api.TeamTransferApi.as_view(), name="api-team-transfer"),
    path("teams/<code:team_id>/cancel", team_api.TeamCancelApi.as_view(), name="api-team-cancel"),
    path(
        "certificate-templates/",
        certificates_api.CertificateTemplateListApi.as_view(),
        name="api-certificate-templates",
    ),
    path(
        "certificate-templates/<int:template_id>/",
        certificates_api.CertificateTemplateDetailApi.as_view(),
        name="api-certificate-template",
    ),
    path("status/<slug:event_id>", events_api.EventStatusApi.as_view(), name="api-status"),
    path(
        "lookup/enrollment/<code:enrollment_no>/event/<slug:event_id>",
        certificates_api.LookupApi.as_view(),
        name="api-lookup",
    ),
    path("analytics/<slug:event_id>", analytics_api.EventAnalyticsApi.as_view(), name="api-analytics"),
    path("students/", registrations_api.StudentListApi.as_view(), name="api-students"),
    path("students/<code:enrollment_no>/", registrations_api.StudentDetailApi.as_view(), name="api-student"),
    path(
        "students/<code:enrollment_no>/history",
        certificates_api.StudentHistoryApi.as_view(),
        name="api-student-history",
    ),
    path(
        "certificates/<code:certificate_id>/verify",
        certificates_api.CertificateVerifyApi.as_view(),
        name="api-certificate-verify",
    ),
    path(
        "events/<slug:event_id>/announcements",
        comms_api.AnnouncementsApi.as_view(),
        name="api-event-announcements",
    ),
    path("me/email-preferences", comms_api.EmailPreferencesApi.as_view(), name="api-me-email-preferences"),
]
