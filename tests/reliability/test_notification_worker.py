"""``send_notifications`` as operators run it: a separate process that sends what is owed and stops cleanly."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from registrations.models import Notification
from registrations.services import registration_create
from tests.factories import EventFactory, StudentFactory
from tests.reliability.conftest import database_url_of

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_sends_what_a_request_left_owed_at_a_lower_priority_and_finishes_on_sigterm(settings):
    from django.db import connection

    settings.NOTIFICATIONS_SENDER = "worker"
    student = StudentFactory(email="worker.check@college.example")
    registration = registration_create(event=EventFactory(), enrollment_no=student.pk)
    notification = Notification.objects.get()
    assert notification.state == Notification.State.PENDING

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "send_notifications", "--interval", "0.2"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": database_url_of(connection),
            "DJANGO_SETTINGS_MODULE": "eventsite.settings",
            "NOTIFICATIONS_SENDER": "worker",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            notification.refresh_from_db()
            if notification.state != Notification.State.PENDING:
                break
            time.sleep(0.2)
        # It sent, so it had lowered its priority first: a registration rush beside it goes first.
        worker_niceness = os.getpriority(os.PRIO_PROCESS, worker.pid)
        worker.send_signal(signal.SIGTERM)
        stdout, stderr = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert notification.state == Notification.State.SENT, stderr
    assert worker.returncode == 0, stderr
    assert "To: worker.check@college.example" in stdout
    assert registration.checkin_code in stdout
    assert "Sent 1, skipped 0, to retry 0, given up 0." in stdout
    assert worker_niceness == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
