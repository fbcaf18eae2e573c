from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v2/", include("eventsite.api_urls")),
    path("api/v1/", include("registrations.legacy.urls")),
    path("certificates/", include("certificates.urls")),
    path("", include("registrations.urls")),
    path("", include("events.urls")),
]
