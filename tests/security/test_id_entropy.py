"""Public ids (certificate ids, check-in codes, registration ids) carry at least 64 random bits."""

import math

import pytest

from certificates.services import certificate_issue
from eventsite import ids
from registrations.services import attendance_mark, registration_create
from tests.factories import StudentFactory

GENERATORS = {
    "certificate": ids.new_certificate_id,
    "checkin_code": ids.new_checkin_code,
    "registration": ids.new_registration_id,
    "team": ids.new_team_id,
    "attendance": ids.new_attendance_id,
    "feedback": ids.new_feedback_id,
}
DRAWS = 10_000


def random_part(value: str, generator_name: str) -> str:
    """The part drawn from the alphabet (certificate ids etc. carry a one-letter kind prefix)."""
    return value if generator_name == "checkin_code" else value[1:]


@pytest.mark.parametrize("name", GENERATORS)
def test_id_has_at_least_64_bits_of_entropy(name):
    sample = GENERATORS[name]()
    random_chars = random_part(sample, name)

    bits = len(random_chars) * math.log2(len(ids.ALPHABET))

    assert len(set(ids.ALPHABET)) == len(ids.ALPHABET) == 32
    assert set(random_chars) <= set(ids.ALPHABET)
    assert bits >= 64


@pytest.mark.parametrize("name", ["certificate", "checkin_code"])
def test_ids_are_unique_and_use_the_whole_alphabet_across_ten_thousand_draws(name):
    draws = [GENERATORS[name]() for _ in range(DRAWS)]

    assert len(set(draws)) == DRAWS
    used = set("".join(random_part(value, name) for value in draws))
    assert used == set(ids.ALPHABET)


@pytest.mark.django_db
def test_ids_handed_out_by_the_services_have_the_promised_length(event):
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.enrollment_no)
    attendance_mark(event=event, enrollment_no=student.enrollment_no)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.enrollment_no)

    assert len(registration.checkin_code) * math.log2(32) >= 64
    assert len(certificate.certificate_id[1:]) * math.log2(32) >= 64
    assert set(certificate.certificate_id[1:]) <= set(ids.ALPHABET)
