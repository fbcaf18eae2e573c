"""The site's settings with one extra page that fails, to see how a server reports a 500."""

from eventsite.settings import *  # noqa: F403

ROOT_URLCONF = "tests.ops.crash_urls"
