"""Seed a fresh database for the schemathesis run and print the logins' tokens as shell assignments.

Run by `.ci/schemathesis` (`python -m tests.contract_fixtures`) after `migrate`; not a test module.
The ids match the examples in the schema (``hackfest-2026``, ``22CSE30001``), so the first
generated requests reach real rows and the successful answers are checked too.
"""

import os
from datetime import timedelta


def seed() -> dict[str, str]:
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from certificates.services import certificate_issue
    from events.models import Event
    from registrations.services import attendance_mark, feedback_submit, registration_create, team_register
    from tests.factories import (
        EventFactory,
        PastEventFactory,
        StaffFactory,
        StudentFactory,
        StudentUserFactory,
        TeamEventFactory,
        UserFactory,
    )

    staff = StaffFactory(username="admin")
    organizer = UserFactory(username="organizer")
    student = StudentUserFactory(enrollment_no="22CSE30001", department="CSE")
    classmates = StudentFactory.create_batch(6)

    hackfest = EventFactory(
        event_id="hackfest-2026",
        title="HackFest 2026",
        capacity=3,
        waitlist_enabled=True,
        organizers=[organizer],
        sessions=["day-1", "day-2"],
    )
    for enrollment_no in [student.pk, *(s.pk for s in classmates[:4])]:
        registration_create(event=hackfest, enrollment_no=enrollment_no)
    Event.objects.filter(pk=hackfest.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    hackfest.refresh_from_db()
    attendance_mark(event=hackfest, enrollment_no=student.pk, session="day-1")
    feedback_submit(event=hackfest, enrollment_no=student.pk, rating=5, comments="Loved it.")
    certificate_issue(event=hackfest, enrollment_no=student.pk)

    robotics = TeamEventFactory(event_id="robotics-cup", title="Robotics Cup", organizers=[organizer])
    team_register(
        event=robotics, team_name="Gearheads", leader=classmates[4].pk, members=[classmates[5].pk, student.pk]
    )
    PastEventFactory(event_id="orientation-2025", title="Orientation 2025")

    return {
        "STAFF_TOKEN": Token.objects.get_or_create(user=staff)[0].key,
        "STUDENT_TOKEN": Token.objects.get_or_create(user=student.user)[0].key,
    }


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    django.setup()
    for name, value in seed().items():
        print(f"{name}={value}")
