from django.urls import path

from door import views

urlpatterns = [
    path("events/<slug:event_id>/scan/", views.event_scan, name="door-scan"),
    path("scan/<str:token>/", views.scan_link, name="door-scan-link"),
    path("events/<slug:event_id>/scanner-links/", views.scanner_links, name="door-scanner-links"),
    path(
        "events/<slug:event_id>/scanner-links/<str:link_id>/revoke/",
        views.scanner_link_revoke_page,
        name="door-scanner-link-revoke",
    ),
    path("door-sw.js", views.service_worker, name="door-service-worker"),
    path("events/<slug:event_id>/self-checkin/", views.self_checkin_projector, name="door-self-checkin"),
    path("events/<slug:event_id>/self-checkin/<str:token>/", views.self_checkin_mark, name="door-self-checkin-mark"),
]
