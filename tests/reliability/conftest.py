"""Fixtures of the reliability tests: a real gunicorn over the test database."""

import pytest


def database_url_of(connection) -> str:
    """The URL of the database this test runs on, for a server started in another process."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    return f"sqlite:///{settings['NAME']}"


@pytest.fixture
def gunicorn_server(transactional_db):
    """Start gunicorn on 127.0.0.1 against the test database: ``with gunicorn_server(workers=2) as server``.

    The data a test writes must be committed (hence ``transactional_db``) for the server to see it.
    """
    from django.db import connection

    from bench.harness import Gunicorn

    def start(workers: int = 2, env: dict[str, str] | None = None) -> Gunicorn:
        return Gunicorn(database_url_of(connection), workers=workers, settings="eventsite.settings", env=env)

    return start
