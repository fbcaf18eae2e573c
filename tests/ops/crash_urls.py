from django.urls import path

from eventsite.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def crash(request):
    raise RuntimeError("a bug on purpose")


urlpatterns = [path("crash/", crash), path("api/v2/crash/", crash), *urlpatterns]
