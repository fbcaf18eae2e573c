from django.urls import path

from events import views

urlpatterns = [
    path("", views.home, name="home"),
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:event_id>/", views.event_detail, name="event-detail"),
    path("organize/", views.organize, name="organize"),
    path("events/<slug:event_id>/manage/checkin/", views.event_checkin, name="event-checkin"),
    path("events/<slug:event_id>/manage/roster/", views.event_roster, name="event-roster"),
    path("events/<slug:event_id>/manage/roster.csv", views.event_roster_csv, name="event-roster-csv"),
    path("events/<slug:event_id>/manage/certificates/", views.event_certificates, name="event-certificates"),
]
