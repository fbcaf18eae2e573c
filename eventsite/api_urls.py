"""Every endpoint of API.md under /api/v2/."""

urlpatterns: list = []
