"""The product's settings plus the baseline endpoint; used only by the benchmarks."""

from eventsite.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"

# Notifications are rendered and "sent" in memory: the load measures the application, not a mail server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
