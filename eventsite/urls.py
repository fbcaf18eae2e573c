from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from eventsite import errors

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v2/", include("eventsite.api_urls")),
    path("api/v1/", include("legacy.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", errors.api_not_found),
    path("certificates/", include("certificates.urls")),
    path("", include("door.urls")),
    path("", include("registrations.urls")),
    path("", include("comms.urls")),
    path("", include("analytics.urls")),
    path("", include("pages.urls")),
]

# JSON under /api/, Django's pages elsewhere.
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
