"""The answers given at registration in the roster's CSV and Excel exports: one column per question."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from analytics.roster_export import export_rows
from events.services import QuestionSpec, event_update
from registrations.models import Registration, RegistrationStatus
from registrations.services import registration_create
from tests.factories import EventFactory, StudentFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    QuestionSpec(code="tshirt", label="T-shirt size", kind="choice", choices=("S", "M", "L"), required=True),
    QuestionSpec(code="langs", label="Languages", kind="multi_choice", choices=("Python", "C", "Rust")),
    QuestionSpec(code="laptop", label="Laptop?", kind="yes_no"),
    QuestionSpec(code="age", label="Age", kind="number"),
    QuestionSpec(code="note", label="Note", kind="text"),
]


@pytest.fixture
def answered(organizer):
    event = EventFactory(organizers=[organizer])
    event_update(event=event, questions=QUESTIONS, actor=organizer)
    first = StudentFactory(enrollment_no="22CSE00001", full_name="Asha Rao")
    second = StudentFactory(enrollment_no="22CSE00002", full_name="Ravi K")
    registration_create(
        event=event,
        enrollment_no=first.pk,
        answers={"tshirt": "M", "langs": ["Rust", "C"], "laptop": True, "age": 19, "note": "=cmd()"},
    )
    registration_create(event=event, enrollment_no=second.pk, answers={"tshirt": "S"})
    return event


def test_export_rows_end_with_one_column_per_question_answered_in_words(answered):
    header, first, second = export_rows(answered)

    assert header[-5:] == [
        "Answer: T-shirt size",
        "Answer: Languages",
        "Answer: Laptop?",
        "Answer: Age",
        "Answer: Note",
    ]
    assert first[0] == "22CSE00001" and first[-5:] == ["M", "C, Rust", "yes", 19, "=cmd()"]
    assert second[0] == "22CSE00002" and second[-5:] == ["S", "", "", "", ""]


def test_an_answer_to_a_removed_question_keeps_its_column(answered, organizer):
    event_update(event=answered, questions=QUESTIONS[1:], actor=organizer)

    header, first, _ = export_rows(answered)

    assert header[-1] == "Answer: T-shirt size" and first[-1] == "M"


def test_a_cancelled_registration_s_answers_are_not_exported(answered):
    Registration.objects.filter(student_id="22CSE00002").update(status=RegistrationStatus.CANCELLED, checkin_code=None)

    rows = list(export_rows(answered))

    assert [row[0] for row in rows[1:]] == ["22CSE00001"]


def test_the_csv_carries_the_answers_and_defuses_formulas(client, organizer, answered):
    client.force_login(organizer)

    response = client.get(reverse("event-roster-csv", args=[answered.pk]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][-5:] == ["M", "C, Rust", "yes", "19", "'=cmd()"]


def test_the_excel_export_carries_the_answers_with_numbers_as_numbers(client, organizer, answered):
    client.force_login(organizer)

    response = client.get(reverse("event-export-xlsx", args=[answered.pk]))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)["Roster"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][-1] == "Answer: Note"
    assert rows[1][-5:] == ["M", "C, Rust", "yes", 19, "'=cmd()"]


@pytest.mark.parametrize("size", [5, 50])
def test_the_export_costs_the_same_queries_whatever_the_number_of_answers(organizer, size):
    event = EventFactory(organizers=[organizer])
    event_update(event=event, questions=QUESTIONS, actor=organizer)
    for student in StudentFactory.create_batch(size):
        registration_create(event=event, enrollment_no=student.pk, answers={"tshirt": "L", "age": 30})

    with CaptureQueriesContext(connection) as captured:
        rows = list(export_rows(event))

    assert len(rows) == size + 1
    assert len(captured) == 8  # sessions, feedback questions, registration questions, and one cursor per kind
