"""Staff see a registration's answers on its admin page, read only."""

import pytest
from django.urls import reverse

from events.services import QuestionSpec, event_update
from registrations.services import registration_create
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_the_registration_admin_page_lists_its_answers_read_only(admin_client, event, organizer):
    event_update(
        event=event,
        questions=[
            QuestionSpec(code="langs", label="Languages", kind="multi_choice", choices=("C", "Rust")),
            QuestionSpec(code="laptop", label="Laptop?", kind="yes_no"),
        ],
        actor=organizer,
    )
    registration = registration_create(
        event=event, enrollment_no=StudentFactory().pk, answers={"langs": ["Rust", "C"], "laptop": False}
    )

    page = admin_client.get(reverse("admin:registrations_registration_change", args=[registration.pk]))

    content = " ".join(page.content.decode().split())
    assert page.status_code == 200
    assert "Answers to the event&#x27;s questions" in content
    assert '<td class="field-question"> <p>Languages</p> </td> <td class="field-answer"> <p>C, Rust</p>' in content
    assert '<td class="field-question"> <p>Laptop?</p> </td> <td class="field-answer"> <p>no</p>' in content
    assert 'name="answers-0-value"' not in content  # nothing to edit
