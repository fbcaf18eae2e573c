"""The deprecated, read-only V1 API (legacy document shape)."""

from django.urls import path

from legacy.api import LegacyEventApi

urlpatterns = [
    path("events/<slug:event_id>", LegacyEventApi.as_view(), name="legacy-event"),
]
