"""Ids that are shown, printed or scanned carry at least 64 random bits."""

import math
from collections import Counter

import pytest

from certificates.services import certificate_issue
from eventsite import ids
from registrations.services import attendance_mark, registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db

GENERATORS = {
    "registration_id": (ids.new_registration_id, "R"),
    "certificate_id": (ids.new_certificate_id, "C"),
    "checkin_code": (ids.new_checkin_code, ""),
}


@pytest.mark.parametrize("kind", GENERATORS)
def test_an_id_carries_at_least_64_random_bits(kind):
    generate, prefix = GENERATORS[kind]
    token = generate()
    assert token.startswith(prefix)
    random_part = token[len(prefix) :]
    assert set(random_part) <= set(ids.ALPHABET)
    assert len(ids.ALPHABET) == 2**ids.BITS_PER_CHAR
    assert len(random_part) * math.log2(len(ids.ALPHABET)) >= 64


@pytest.mark.parametrize("kind", GENERATORS)
def test_ids_do_not_repeat_and_use_the_whole_alphabet(kind):
    generate, prefix = GENERATORS[kind]
    tokens = [generate() for _ in range(20_000)]
    assert len(set(tokens)) == len(tokens)
    assert set("".join(token[len(prefix) :] for token in tokens)) == set(ids.ALPHABET)


def test_every_letter_is_equally_likely():
    """Each random byte becomes one letter: every letter must come from the same number of bytes."""
    assert all(len(ids.random_token(length)) == length for length in (1, 13, 16, 26))
    preimages = Counter(ids.LETTER_OF_BYTE)
    assert len(preimages) == len(ids.ALPHABET)
    assert set(preimages) == {ord(letter) for letter in ids.ALPHABET}
    assert set(preimages.values()) == {256 // len(ids.ALPHABET)}


def test_the_services_hand_out_such_ids():
    event = EventFactory()
    student = StudentFactory()
    registration = registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    for value, prefix in (
        (registration.registration_id, "R"),
        (registration.checkin_code, ""),
        (certificate.certificate_id, "C"),
    ):
        assert value.startswith(prefix)
        assert (len(value) - len(prefix)) * ids.BITS_PER_CHAR >= 64
