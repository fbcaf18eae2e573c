"""Production settings: `check --deploy` is clean and the transport-security values are what we promise."""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "events.example.edu",
    "DJANGO_SETTINGS_MODULE": "eventsite.settings",
}


def production_env() -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + string.punctuation.replace("'", "").replace('"', "")
    key = "".join(secrets.choice(alphabet) for _ in range(64))
    env = {k: v for k, v in os.environ.items() if k not in {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}}
    return {**env, **PRODUCTION_ENV, "SECRET_KEY": key}


def test_check_deploy_reports_no_issue_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_secure_cookies_hsts_and_redirects():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        " 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD',"
        " 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'ALLOWED_HOSTS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr

    values = json.loads(result.stdout)

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["ALLOWED_HOSTS"] == ["events.example.edu"]


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
