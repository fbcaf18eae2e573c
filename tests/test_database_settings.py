"""The database settings read from the environment: PostgreSQL prepares the statements it runs again and again."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from events.models import Event

ROOT = Path(__file__).resolve().parents[1]
SHOW_OPTIONS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}), default=str))"
)


def _options(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SHOW_OPTIONS],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DB_")},
            "DJANGO_SETTINGS_MODULE": "eventsite.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgresql_binds_parameters_on_the_server_and_prepares_repeated_statements():
    options = _options(DATABASE_URL="postgres://u@db.example:5432/events")
    assert options == {"server_side_binding": True, "prepare_threshold": 5}


def test_preparing_can_be_turned_off_for_a_pooler_without_prepared_statements():
    options = _options(DATABASE_URL="postgres://u@db.example:5432/events", DB_PREPARE_THRESHOLD="0")
    assert options == {"server_side_binding": True, "prepare_threshold": None}


@pytest.mark.django_db
def test_a_query_run_again_on_one_connection_is_prepared_once():
    for _ in range(6):
        Event.objects.filter(pk="no-such-event").exists()

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%events_event%%'")
            assert cursor.fetchone()[0] >= 1
    else:
        assert "server_side_binding" not in connection.settings_dict.get("OPTIONS", {})
