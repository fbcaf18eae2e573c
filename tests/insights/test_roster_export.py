import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from analytics.roster_export import export_rows, roster_xlsx
from certificates.models import Certificate
from registrations.models import Attendance, Feedback, FeedbackAnswer, Registration, Student
from tests.factories import (
    AttendanceFactory,
    EventFactory,
    FeedbackFactory,
    FeedbackQuestionFactory,
    RegistrationFactory,
    StaffFactory,
    StudentFactory,
    TeamEventFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "Enrollment no",
    "Name",
    "Department",
    "Year",
    "Team",
    "Status",
    "Attended: Day 1",
    "Attended: Day 2",
    "Feedback rating",
    "Certificate id",
    "Q1: The venue",
    "Q2: What should change?",
]


@pytest.fixture
def small_event(organizer):
    event = EventFactory(organizers=[organizer], sessions=["d1", "d2"])
    event.sessions.filter(code="d1").update(title="Day 1")
    event.sessions.filter(code="d2").update(title="Day 2")
    venue = FeedbackQuestionFactory(event=event, prompt="The venue", kind="rating", position=0)
    change = FeedbackQuestionFactory(event=event, prompt="What should change?", kind="text", position=1)
    asha = RegistrationFactory(
        event=event, student=StudentFactory(enrollment_no="22CSE00001", full_name="Asha Rao", department="CSE", year=2)
    )
    for session in event.sessions.all():
        AttendanceFactory(registration=asha, session=session)
    feedback = FeedbackFactory(registration=asha, rating=5)
    FeedbackAnswer.objects.create(feedback=feedback, question=venue, rating=4)
    FeedbackAnswer.objects.create(feedback=feedback, question=change, text='=HYPERLINK("x")')
    Certificate.objects.create(
        certificate_id="CASHA", event=event, student=asha.student, registration=asha, issued_at=timezone.now()
    )
    RegistrationFactory(
        event=event,
        student=StudentFactory(enrollment_no="22ECE00002", full_name="Ravi K", department="ECE", year=None),
        status="waitlisted",
    )
    RegistrationFactory(event=event, student=StudentFactory(enrollment_no="22ME00003"), status="cancelled")
    return event


def test_export_rows_have_every_column_in_order(small_event):
    rows = list(export_rows(small_event))

    assert rows == [
        HEADER,
        ["22CSE00001", "Asha Rao", "CSE", 2, "", "confirmed", "yes", "yes", 5, "CASHA", 4, '=HYPERLINK("x")'],
        ["22ECE00002", "Ravi K", "ECE", None, "", "waitlisted", "no", "no", None, "", None, None],
    ]


def test_export_rows_name_the_team():
    event = TeamEventFactory()
    team = TeamFactory(event=event, name="Owls")
    RegistrationFactory(event=event, student=team.leader, team=team)

    assert list(export_rows(event))[1][4] == "Owls"


def test_csv_export_streams_the_rows_and_defuses_formulas(client, organizer, small_event):
    client.force_login(organizer)

    response = client.get(reverse("event-roster-csv", args=[small_event.pk]))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == HEADER
    assert rows[1] == [
        "22CSE00001",
        "Asha Rao",
        "CSE",
        "2",
        "",
        "confirmed",
        "yes",
        "yes",
        "5",
        "CASHA",
        "4",
        '\'=HYPERLINK("x")',
    ]
    assert rows[2][3] == "" and rows[2][8] == ""
    assert len(rows) == 3


def test_xlsx_export_opens_in_openpyxl_with_typed_cells(client, organizer, small_event):
    client.force_login(organizer)

    response = client.get(reverse("event-export-xlsx", args=[small_event.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{small_event.pk}-export.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)["Roster"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1] == [
        "22CSE00001",
        "Asha Rao",
        "CSE",
        2,
        None,
        "confirmed",
        "yes",
        "yes",
        5,
        "CASHA",
        4,
        '\'=HYPERLINK("x")',
    ]
    assert rows[2][:6] == ["22ECE00002", "Ravi K", "ECE", None, None, "waitlisted"]


@pytest.mark.parametrize("name", ["event-roster-csv", "event-export-xlsx"])
def test_exports_are_for_the_events_organizers_and_staff(client, small_event, name):
    url = reverse(name, args=[small_event.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(StaffFactory())
    assert client.get(reverse(name, args=["no-such-event"])).status_code == 404


def _bulk_event(size: int):
    """An event with ``size`` registrations written in bulk: every third attended day 1, every fifth gave
    feedback (rating 1..5 in turn) with an answer, every seventh holds a certificate."""
    event = EventFactory(sessions=["d1", "d2"])
    day1 = event.sessions.get(code="d1")
    question = FeedbackQuestionFactory(event=event, prompt="The venue", kind="rating")
    now = timezone.now()
    Student.objects.bulk_create(
        [
            Student(enrollment_no=f"23BLK{n:06d}", full_name=f"Student {n}", department="CSE", year=n % 4 + 1)
            for n in range(size)
        ],
        batch_size=2000,
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                registration_id=f"R{n:016d}",
                event=event,
                student_id=f"23BLK{n:06d}",
                status="confirmed",
                registered_at=now,
            )
            for n in range(size)
        ],
        batch_size=2000,
    )
    Attendance.objects.bulk_create(
        [
            Attendance(attendance_id=f"A{n:016d}", event=event, student_id=r.student_id, registration=r, session=day1)
            for n, r in enumerate(registrations)
            if n % 3 == 0
        ],
        batch_size=2000,
    )
    feedbacks = Feedback.objects.bulk_create(
        [
            Feedback(
                feedback_id=f"F{n:016d}", event=event, student_id=r.student_id, registration=r, rating=n // 5 % 5 + 1
            )
            for n, r in enumerate(registrations)
            if n % 5 == 0
        ],
        batch_size=2000,
    )
    FeedbackAnswer.objects.bulk_create(
        [FeedbackAnswer(feedback=f, question=question, rating=f.rating) for f in feedbacks], batch_size=2000
    )
    Certificate.objects.bulk_create(
        [
            Certificate(
                certificate_id=f"C{n:016d}", event=event, student_id=r.student_id, registration=r, issued_at=now
            )
            for n, r in enumerate(registrations)
            if n % 7 == 0
        ],
        batch_size=2000,
    )
    return event


def _expected(n: int) -> list:
    return [
        f"23BLK{n:06d}",
        f"Student {n}",
        "CSE",
        n % 4 + 1,
        None,
        "confirmed",
        "yes" if n % 3 == 0 else "no",
        "no",
        n // 5 % 5 + 1 if n % 5 == 0 else None,
        f"C{n:016d}" if n % 7 == 0 else None,
        n // 5 % 5 + 1 if n % 5 == 0 else None,
    ]


def test_an_event_of_20000_registrations_exports_every_row_to_xlsx_and_csv():
    event = _bulk_event(20_000)

    with roster_xlsx(event) as output:
        sheet = load_workbook(output, read_only=True)["Roster"]
        # Read-only mode leaves out the empty cells at the end of a row.
        rows = [list(row) + [None] * (11 - len(row)) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][-1] == "Q1: The venue"
    assert len(rows) == 20_001
    assert rows[1:] == [_expected(n) for n in range(20_000)]

    csv_rows = list(export_rows(event))
    assert len(csv_rows) == 20_001
    assert sum(1 for row in csv_rows[1:] if row[6] == "yes") == 6667
    assert sum(1 for row in csv_rows[1:] if row[9]) == 2858


def test_the_roster_page_links_the_excel_export(client, organizer, small_event):
    client.force_login(organizer)

    page = client.get(reverse("event-roster", args=[small_event.pk])).content.decode()

    assert f'href="{reverse("event-export-xlsx", args=[small_event.pk])}"' in page
