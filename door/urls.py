from django.urls import path

from door import views

urlpatterns = [
    path("events/<slug:event_id>/scan/", views.event_scan, name="door-scan"),
    path("scan/<str:token>/", views.scan_link, name="door-scan-link"),
    path("door-sw.js", views.service_worker, name="door-service-worker"),
]
