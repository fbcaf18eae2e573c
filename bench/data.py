"""Bulk set-up for the benchmarks and the reliability tests: students with logins and tokens, events.

Written straight to the database in bulk (not through the API), so that a burst measures
the burst and not its preparation.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from events.models import Event
from registrations.models import Student
from tests.factories import EventFactory

BENCH_PASSWORD = "bench-password"


def enrollment(i: int, prefix: str = "24BEN") -> str:
    return f"{prefix}{i:06d}"


def students_with_tokens(count: int, *, prefix: str = "24BEN", start: int = 0) -> dict[str, str]:
    """``count`` students, each with a login (username = enrollment number) and an API token."""
    password = make_password(BENCH_PASSWORD)
    enrollments = [enrollment(i, prefix) for i in range(start, start + count)]
    User.objects.bulk_create([User(username=enr, password=password) for enr in enrollments], batch_size=2000)
    users = dict(User.objects.filter(username__in=enrollments).values_list("username", "id"))
    Student.objects.bulk_create(
        [
            Student(
                enrollment_no=enr,
                full_name=f"Bench Student {enr}",
                email=f"{enr.lower()}@college.example",
                department="BEN",
                year=1,
                phone="9800000000",
                user_id=users[enr],
            )
            for enr in enrollments
        ],
        batch_size=2000,
    )
    tokens = {enr: Token.generate_key() for enr in enrollments}
    Token.objects.bulk_create([Token(key=tokens[enr], user_id=users[enr]) for enr in enrollments], batch_size=2000)
    return tokens


def organizer_with_token(username: str = "bench-organizer") -> tuple[User, str]:
    organizer = User.objects.create_user(username, password=BENCH_PASSWORD)
    return organizer, Token.objects.create(user=organizer).key


def open_event(event_id: str, capacity: int | None, organizer: User | None = None) -> Event:
    """A published individual event, registration open now."""
    return EventFactory(
        event_id=event_id, title=event_id, capacity=capacity, organizers=[organizer] if organizer else []
    )
