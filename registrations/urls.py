from django.urls import include, path

from registrations import calendar_views, views

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/check-email/", views.signup_check_email, name="signup-check-email"),
    path("accounts/signup/send-again/", views.signup_resend, name="signup-resend"),
    path("accounts/signup/verify/<str:token>/", views.signup_verify_page, name="signup-verify"),
    path("accounts/login/", views.SiteLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("events/<slug:event_id>/feedback/", views.event_feedback, name="event-feedback"),
    path("events/<slug:event_id>.ics", calendar_views.event_calendar, name="event-ics"),
    path("calendar/<str:token>.ics", calendar_views.student_calendar_feed, name="student-calendar-feed"),
    path("me/calendar/rotate/", calendar_views.student_calendar_rotate, name="student-calendar-rotate"),
]
