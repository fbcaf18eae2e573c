"""The event roster for spreadsheets: CSV streamed line by line, XLSX written row by row.

Rows come from ``registrations.exports.roster_rows`` (one cursor per kind of record,
merged by enrollment number) plus one cursor for the answers to the event's feedback
questions and one for the answers given at registration, merged the same way. Neither format holds the roster in memory:
CSV lines go to the response as they are made; the XLSX workbook is written in
openpyxl's write-only mode (rows go to a temporary file as they are appended) and
saved into a spooled temporary file that stays in memory up to
``XLSX_SPOOL_MAX_BYTES`` and moves to disk beyond it. ``bench/export_memory.py``
measures the peaks.
"""

import csv
from collections.abc import Iterator
from tempfile import SpooledTemporaryFile
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from analytics.exports import CHUNK_SIZE, _by_enrollment_no, _Cursor, roster_rows, session_column
from events.models import Event, EventQuestion, EventSession
from eventsite.spreadsheets import CsvLine, spreadsheet_safe
from registrations.models import ACTIVE_STATUSES, FeedbackAnswer, FeedbackQuestion, RegistrationAnswer
from registrations.selectors import roster_questions

XLSX_SPOOL_MAX_BYTES = 8 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_header(
    sessions: list[EventSession], questions: list[FeedbackQuestion], asked: list[EventQuestion] = ()
) -> list[str]:
    return [
        "Enrollment no",
        "Name",
        "Department",
        "Year",
        "Team",
        "Status",
        *(f"Attended: {session.title or session.code}" for session in sessions),
        "Feedback rating",
        "Certificate id",
        *(f"Q{index}: {question.prompt}" for index, question in enumerate(questions, start=1)),
        *(f"Answer: {question.label}" for question in asked),
    ]


def _answers(event: Event) -> _Cursor:
    """``(enrollment_no, (question_id, answer))`` in the roster's enrollment order."""
    rows = (
        FeedbackAnswer.objects.filter(feedback__event=event)
        .order_by(_by_enrollment_no("feedback__student_id"))
        .values_list("feedback__student_id", "question_id", "rating", "text")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return _Cursor(
        (enrollment_no, (question_id, rating if rating is not None else text))
        for enrollment_no, question_id, rating, text in rows
    )


def _registration_answers(event: Event) -> _Cursor:
    """``(enrollment_no, (question_id, value))`` of the active registrations, in the roster's enrollment order."""
    rows = (
        RegistrationAnswer.objects.filter(registration__event=event, registration__status__in=ACTIVE_STATUSES)
        .order_by(_by_enrollment_no("registration__student_id"))
        .values_list("registration__student_id", "question_id", "value")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return _Cursor((enrollment_no, (question_id, value)) for enrollment_no, question_id, value in rows)


def _cell(value: object) -> object:
    """A number stays a number in the spreadsheet; every other answer is its text."""
    return (
        value if isinstance(value, int | float) and not isinstance(value, bool) else RegistrationAnswer.as_text(value)
    )


def export_rows(event: Event) -> Iterator[list[Any]]:
    """The header, then one list of values per active registration, in enrollment order: the roster,
    the answers to the feedback questions, then the answers given at registration."""
    sessions = list(event.sessions.order_by("position", "id"))
    questions = list(FeedbackQuestion.objects.filter(event=event).order_by("position", "id"))
    asked = roster_questions(event)
    answers = _answers(event) if questions else None
    registration_answers = _registration_answers(event) if asked else None
    yield export_header(sessions, questions, asked)
    for row in roster_rows(event, sessions=sessions):
        given = dict(answers.take(row["enrollment_no"])) if answers else {}
        answered = dict(registration_answers.take(row["enrollment_no"])) if registration_answers else {}
        yield [
            row["enrollment_no"],
            row["full_name"],
            row["department"],
            row["year"],
            row["team"],
            row["status"],
            *("yes" if row[session_column(session.code)] else "no" for session in sessions),
            row["feedback_rating"],
            row["certificate_id"],
            *(given.get(question.pk) for question in questions),
            *(_cell(answered.get(question.pk)) for question in asked),
        ]


def roster_csv_lines(event: Event) -> Iterator[str]:
    writer = csv.writer(CsvLine())
    for values in export_rows(event):
        yield writer.writerow(["" if value is None else spreadsheet_safe(value) for value in values])


def roster_xlsx(event: Event) -> SpooledTemporaryFile:
    """The roster as an XLSX workbook in a spooled temporary file, rewound, for streaming."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Roster")
    rows = export_rows(event)
    header = next(rows)
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.freeze_panes = "C2"
    sheet.append(header_cells)
    for values in rows:
        sheet.append([spreadsheet_safe(value) for value in values])
    output = SpooledTemporaryFile(max_size=XLSX_SPOOL_MAX_BYTES)  # noqa: SIM115 - the response closes it
    workbook.save(output)
    output.seek(0)
    return output
