"""The deprecated, read-only V1 API (legacy document shape)."""

urlpatterns: list = []
