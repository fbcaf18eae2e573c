import time
from io import StringIO

import pytest

from legacy.management.commands.migrate_legacy_events import ProgressBar

pytestmark = pytest.mark.django_db


def test_progress_bar_shows_events_registrations_rate_and_time_left():
    out = StringIO()
    bar = ProgressBar(out)
    bar.started = time.monotonic() - 10  # ten seconds in

    bar(events=40, registrations=20000, bytes_done=250, bytes_total=1000)

    line = out.getvalue()
    assert line.startswith("\r[")
    assert " 25%" in line and "40 events" in line and "20,000 registrations" in line
    assert "/s" in line and "0:3" in line  # a quarter done in ten seconds: about thirty to go


def test_a_run_that_is_not_on_a_terminal_prints_only_the_summary(migrate, sample_path):
    _, output = migrate(sample_path)

    assert "\r" not in output
    assert output.splitlines()[0] == "Migration finished."
