from django.urls import path
from django.views.generic import TemplateView

from events import calendar_views

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("events/<slug:event_id>.ics", calendar_views.event_calendar, name="event-ics"),
    path("calendar/<str:token>.ics", calendar_views.student_calendar_feed, name="student-calendar-feed"),
    path("me/calendar/rotate/", calendar_views.student_calendar_rotate, name="student-calendar-rotate"),
]
