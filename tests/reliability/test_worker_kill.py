"""A gunicorn worker killed during a registration burst loses nothing and corrupts nothing."""

import pytest

from bench.data import open_event, students_with_tokens
from bench.faults import burst_with_fault, registration_jobs, verdict, worker_kill

pytestmark = pytest.mark.django_db(transaction=True)

STUDENTS = 120
CAPACITY = 80


def test_registration_burst_survives_a_worker_killed_mid_burst(gunicorn_server):
    tokens = students_with_tokens(STUDENTS, prefix="24KIL")
    open_event("kill-burst", CAPACITY)

    with gunicorn_server(workers=2) as server:
        outcomes, _, report = burst_with_fault(
            server.port,
            registration_jobs("kill-burst", tokens),
            lambda: worker_kill(server),
            at_fraction=0.3,
            clients=16,
        )
        result = verdict("kill-burst", CAPACITY, outcomes)

    assert report["fault_finished"]
    assert len(outcomes) == STUDENTS
    assert result["checks"] == dict.fromkeys(result["checks"], True), result
