"""A run killed with SIGKILL at any point, then started again, ends as one clean run does."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from certificates.models import Certificate
from events.models import Event, EventSession
from registrations.models import Attendance, Feedback, Registration, Student, Team
from tests.legacy.conftest import table_dump
from tests.legacy.test_migrate_messy import event_doc, registration

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = 80
PER_EVENT = 40


def big_file(path: Path) -> Path:
    with path.open("w") as out:
        for number in range(EVENTS):
            regs = {}
            for index in range(PER_EVENT):
                enrollment_no = f"22CSE{(number * 7 + index) % 2000:05d}"
                reg_id = f"E{number}R{index}"
                regs[reg_id] = registration(
                    reg_id,
                    enrollment_no,
                    {"$date": f"2024-02-{1 + index % 27:02d}T{number % 24:02d}:00:00Z"},
                    attendance=[{"session": "day1"}, {"session": "day2"}],
                    feedback={"rating": 1 + index % 5, "comments": "fine"},
                )
                regs[reg_id]["student_data"]["full_name"] = f"Student {enrollment_no} v{number % 3}"
            out.write(json.dumps(event_doc(f"BIG{number:03d}", regs)) + "\n")
    return path


def database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    return f"postgres://{config['USER']}{password}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


def command(path: Path, reader_process: str = "auto") -> list[str]:
    return [sys.executable, "manage.py", "migrate_legacy_events", str(path), "--reader-process", reader_process]


def processes_reading(path: Path) -> list[int]:
    """Pids of processes whose command line names ``path`` (a forked reader keeps its parent's)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if str(path).encode() in cmdline.read().split(b"\0"):
                    found.append(int(pid))
        except OSError:
            continue
    return found


def environment() -> dict:
    return {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "eventsite.settings"}


def wipe() -> None:
    for model in (Certificate, Feedback, Attendance, Registration, Team, EventSession, Event, Student):
        model.objects.all().delete()


@pytest.mark.parametrize("reader_process", ["off", "on"])
def test_a_killed_run_resumed_ends_as_one_clean_run(tmp_path, reader_process):
    path = big_file(tmp_path / "big.jsonl")
    connection.close()
    subprocess.run(command(path), cwd=settings.BASE_DIR, env=environment(), check=True, capture_output=True)
    clean = table_dump(timestamps=False)
    assert len(clean["events"]) == EVENTS
    wipe()
    connection.close()

    process = subprocess.Popen(
        command(path, reader_process),
        cwd=settings.BASE_DIR,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while Event.objects.count() < EVENTS // 4 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    still_running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    imported_when_killed = Event.objects.count()
    orphans_deadline = time.monotonic() + 15
    while processes_reading(path) and time.monotonic() < orphans_deadline:
        time.sleep(0.05)  # a reader whose writer is gone fails its next send and exits
    orphans = processes_reading(path)
    connection.close()
    subprocess.run(command(path), cwd=settings.BASE_DIR, env=environment(), check=True, capture_output=True)

    assert still_running and 0 < imported_when_killed < EVENTS
    assert orphans == []
    assert table_dump(timestamps=False) == clean
