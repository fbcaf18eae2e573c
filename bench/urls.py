from django.urls import include, path

from bench.views import BaselineInsert

urlpatterns = [
    path("bench/baseline/<slug:event_id>", BaselineInsert.as_view()),
    path("", include("eventsite.urls")),
]
