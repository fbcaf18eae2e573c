from django.urls import path

from pages import organize_views, record_views, student_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:event_id>/", views.event_detail, name="event-detail"),
    path("events/<slug:event_id>/poster/<str:name>", views.event_poster, name="event-poster"),
    path("clubs/<slug:club_id>/", views.club_page, name="club-page"),
    path("organize/", views.organize, name="organize"),
    path("organize/clubs/<slug:club_id>/", organize_views.organize_club, name="organize-club"),
    path("organize/events/new/", organize_views.organize_event_new, name="organize-event-new"),
    path("organize/events/<slug:event_id>/", organize_views.organize_event, name="organize-event"),
    path("organize/events/<slug:event_id>/edit/", organize_views.organize_event_edit, name="organize-event-edit"),
    path("organize/events/<slug:event_id>/poster/", organize_views.organize_event_poster, name="organize-event-poster"),
    path(
        "organize/events/<slug:event_id>/publish/", organize_views.organize_event_publish, name="organize-event-publish"
    ),
    path(
        "organize/events/<slug:event_id>/approve/", organize_views.organize_event_approve, name="organize-event-approve"
    ),
    path("organize/events/<slug:event_id>/cancel/", organize_views.organize_event_cancel, name="organize-event-cancel"),
    path(
        "organize/clubs/<slug:club_id>/members/<str:username>/remove/",
        organize_views.organize_club_member_remove,
        name="organize-club-member-remove",
    ),
    path("events/<slug:event_id>/manage/checkin/", views.event_checkin, name="event-checkin"),
    path("events/<slug:event_id>/manage/roster.csv", views.event_roster_csv, name="event-roster-csv"),
    path("events/<slug:event_id>/manage/certificates/", views.event_certificates, name="event-certificates"),
    path("me/events/", student_views.my_events, name="my-events"),
    path("me/history/", student_views.my_history, name="my-history"),
    path("me/record.pdf", record_views.my_record_pdf, name="my-record-pdf"),
    path("students/<str:enrollment_no>/record.pdf", record_views.student_record_pdf, name="student-record-pdf"),
]
