"""Who may register for an event: its departments and years of study, and its access codes.

The rules the registration services apply under the event's lock, and the sentence a student
reads on the event page before trying (the same sentence the refusal carries).
"""

import re
import secrets
from datetime import date

from django.conf import settings
from django.utils import timezone

from events.audience import audience_sentence, join_words
from events.models import Event
from eventsite.errors import AudienceRestricted
from registrations.models import Student

MAX_YEAR_OF_STUDY = 6
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on a phone
ACCESS_CODE_LENGTH = 8

# An enrollment number of DESIGN.md: two digits of the admission year, the department's letters, a serial.
_ENROLLMENT_PARTS = re.compile(r"^([0-9]{2})([A-Z]+)[0-9]")


def student_department(student: Student) -> str:
    """The department on the student's record, else the letters of their enrollment number (22CSE30001: CSE)."""
    if student.department:
        return student.department.upper()
    parts = _ENROLLMENT_PARTS.match(student.enrollment_no)
    return parts.group(2) if parts else ""


def student_year_of_study(student: Student, today: date | None = None) -> int | None:
    """The year on the student's record, else counted from the admission year of their enrollment number.

    None when neither says (or the count falls outside 1..6).
    """
    if student.year:
        return student.year
    parts = _ENROLLMENT_PARTS.match(student.enrollment_no)
    if parts is None:
        return None
    today = today or timezone.localdate()
    admitted = 2000 + int(parts.group(1))
    year = today.year - admitted + (1 if today.month >= settings.ACADEMIC_YEAR_START_MONTH else 0)
    return year if 1 <= year <= MAX_YEAR_OF_STUDY else None


def audience_refusal(event: Event, student: Student, today: date | None = None) -> str | None:
    """Why ``student`` is outside the event's audience, in sentences a student understands; None if inside."""
    sentence = audience_sentence(event)
    if sentence is None:
        return None
    problems = []
    if event.eligible_departments:
        department = student_department(student)
        if department not in {str(code).upper() for code in event.eligible_departments}:
            problems.append(f"your department is {department}" if department else "your record has no department")
    if event.eligible_years:
        year = student_year_of_study(student, today)
        if year not in {int(y) for y in event.eligible_years}:
            problems.append(f"you are in year {year}" if year else "your record has no year of study")
    if not problems:
        return None
    return f"{sentence} You cannot register: {join_words(problems)}."


def ensure_in_audience(event: Event, student: Student) -> None:
    """AUDIENCE_RESTRICTED, with the sentence, unless the student is in the event's departments and years."""
    refusal = audience_refusal(event, student)
    if refusal is not None:
        raise AudienceRestricted(
            refusal,
            details={
                "eligible_departments": list(event.eligible_departments),
                "eligible_years": list(event.eligible_years),
            },
        )


def access_code_new() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
