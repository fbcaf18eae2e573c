"""`make run` serves PORT, and the addresses the site prints (QR codes, emails, seed_demo) follow it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW_SITE_URL = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


def _site_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SITE_URL],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "eventsite.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "SITE_URL": "https://events.college.example/"}, "https://events.college.example"),
    ],
)
def test_site_url_follows_the_served_port_unless_set(env, expected):
    assert _site_url(**env) == expected


def test_make_run_passes_its_port_to_seed_demo_and_the_server():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    lines = result.stdout.splitlines()

    assert any(line.startswith("PORT=8123 ") and line.endswith("manage.py seed_demo") for line in lines)
    assert any(line.startswith("PORT=8123 ") and line.endswith("runserver 127.0.0.1:8123") for line in lines)
