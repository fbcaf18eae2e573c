"""PostgreSQL restarted during a registration burst: clear 503s while it is away, nothing lost or doubled.

Marked ``pg_restart``: it restarts this machine's PostgreSQL cluster (once), which every
PostgreSQL test running at that moment would feel, so it runs alone: ``make test-faults``.
"""

import pytest
from django.db import connection, connections

from bench.data import open_event, students_with_tokens
from bench.faults import burst_with_fault, postgres_restart, registration_jobs, verdict

pytestmark = [pytest.mark.pg_restart, pytest.mark.django_db(transaction=True)]

STUDENTS = 300
CAPACITY = 200


def test_registration_burst_through_a_postgres_restart_ends_consistent(gunicorn_server):
    assert connection.vendor == "postgresql", "run with DATABASE_URL pointing at PostgreSQL (make test-faults)"
    tokens = students_with_tokens(STUDENTS, prefix="24PGR")
    open_event("restart-burst", CAPACITY)

    with gunicorn_server(workers=2) as server:
        outcomes, _, report = burst_with_fault(
            server.port, registration_jobs("restart-burst", tokens), postgres_restart, at_fraction=0.2, clients=16
        )
    connections.close_all()  # this process's connection died with the restart too
    result = verdict("restart-burst", CAPACITY, outcomes)

    assert report["fault_finished"]
    assert len(outcomes) == STUDENTS
    assert result["checks"] == dict.fromkeys(result["checks"], True), result
