from django.urls import include, path

from registrations import calendar_views, roster_views, team_views, views

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/check-email/", views.signup_check_email, name="signup-check-email"),
    path("accounts/signup/send-again/", views.signup_resend, name="signup-resend"),
    path("accounts/signup/verify/<str:token>/", views.signup_verify_page, name="signup-verify"),
    path("accounts/login/", views.SiteLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("events/<slug:event_id>/feedback/", views.event_feedback, name="event-feedback"),
    path("events/<slug:event_id>/manage/access-codes/", views.event_access_codes, name="event-access-codes"),
    path("events/<slug:event_id>/team/join/", team_views.team_join, name="team-join"),
    path("teams/<str:team_id>/<str:answer>/", team_views.team_answer, name="team-answer"),
    path("teams/<str:team_id>/manage/<str:action>/", team_views.team_manage, name="team-manage"),
    path("teams/<str:team_id>/confirm/<str:action>/", team_views.team_confirm, name="team-confirm"),
    path("events/<slug:event_id>/manage/roster/", roster_views.event_roster, name="event-roster"),
    path("events/<slug:event_id>/manage/roster/act/", roster_views.event_roster_act, name="event-roster-act"),
    path(
        "events/<slug:event_id>/manage/roster/<str:registration_id>/cancel/",
        roster_views.event_roster_cancel,
        name="event-roster-cancel",
    ),
    path(
        "events/<slug:event_id>/manage/roster/<str:registration_id>/reject/",
        roster_views.event_roster_reject,
        name="event-roster-reject",
    ),
    path("events/<slug:event_id>.ics", calendar_views.event_calendar, name="event-ics"),
    path("calendar/<str:token>.ics", calendar_views.student_calendar_feed, name="student-calendar-feed"),
    path("me/calendar/rotate/", calendar_views.student_calendar_rotate, name="student-calendar-rotate"),
]
