"""factory-boy factories shared by the tests, the demo data and the benchmarks."""

from datetime import timedelta

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from clubs.models import Club, ClubMembership
from events.models import Event, EventSession
from eventsite import ids
from registrations.models import (
    Attendance,
    Feedback,
    FeedbackQuestion,
    Registration,
    RegistrationStatus,
    Student,
    Team,
)

DEPARTMENTS = ["CSE", "ECE", "ME", "CE", "EEE", "IT"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@college.example")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    enrollment_no = factory.Sequence(lambda n: f"{22 + n % 4}{DEPARTMENTS[n % len(DEPARTMENTS)]}{30000 + n:05d}")
    full_name = factory.Faker("name", locale="en_IN")
    email = factory.LazyAttribute(lambda s: f"{s.enrollment_no.lower()}@college.example")
    department = factory.LazyAttribute(lambda s: "".join(ch for ch in s.enrollment_no[2:] if ch.isalpha()))
    year = factory.Sequence(lambda n: n % 4 + 1)
    phone = factory.Sequence(lambda n: f"98{n:08d}")


class StudentUserFactory(StudentFactory):
    """A student with a login (username = enrollment number)."""

    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..enrollment_no"))


class ClubFactory(factory.django.DjangoModelFactory):
    """A club; ``owners=[user]`` and ``organizers=[user]`` make its members."""

    class Meta:
        model = Club
        skip_postgeneration_save = True

    club_id = factory.Sequence(lambda n: f"club-{n}")
    name = factory.Sequence(lambda n: f"Club {n}")
    kind = Club.Kind.CLUB

    @factory.post_generation
    def owners(obj, create, extracted, **kwargs):  # noqa: N805
        for user in extracted or []:
            ClubMembership.objects.create(club=obj, user=user, role=ClubMembership.Role.OWNER)

    @factory.post_generation
    def organizers(obj, create, extracted, **kwargs):  # noqa: N805
        for user in extracted or []:
            ClubMembership.objects.create(club=obj, user=user, role=ClubMembership.Role.ORGANIZER)


class EventFactory(factory.django.DjangoModelFactory):
    """An individual event, published, registration open now, starting in an hour (so check-in is open)."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    event_id = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    description = "An event for students."
    venue = "Main Auditorium"
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=50))
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=8))
    capacity = None
    status = Event.Status.PUBLISHED

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        codes = extracted or [EventSession.DEFAULT_CODE]
        for position, code in enumerate(codes):
            EventSession.objects.create(
                event=obj, code=code, title=code, starts_at=obj.starts_at + timedelta(days=position), position=position
            )

    @factory.post_generation
    def organizers(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.organizers.set(extracted)


class TeamEventFactory(EventFactory):
    registration_mode = Event.Mode.TEAM
    team_size_min = 2
    team_size_max = 4


class PastEventFactory(EventFactory):
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=40))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=31))
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration written directly (for fixtures; the services are tested on their own)."""

    class Meta:
        model = Registration

    registration_id = factory.LazyFunction(ids.new_registration_id)
    event = factory.SubFactory(EventFactory)
    student = factory.SubFactory(StudentFactory)
    status = RegistrationStatus.CONFIRMED
    checkin_code = factory.LazyAttribute(lambda r: ids.new_checkin_code() if r.status == "confirmed" else None)
    registered_at = factory.LazyFunction(timezone.now)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    team_id = factory.LazyFunction(ids.new_team_id)
    event = factory.SubFactory(TeamEventFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    leader = factory.SubFactory(StudentFactory)
    status = RegistrationStatus.CONFIRMED


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    attendance_id = factory.LazyFunction(ids.new_attendance_id)
    registration = factory.SubFactory(RegistrationFactory)
    event = factory.SelfAttribute("registration.event")
    student = factory.SelfAttribute("registration.student")
    session = factory.LazyAttribute(lambda a: a.event.sessions.order_by("position").first())


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    feedback_id = factory.LazyFunction(ids.new_feedback_id)
    registration = factory.SubFactory(RegistrationFactory)
    event = factory.SelfAttribute("registration.event")
    student = factory.SelfAttribute("registration.student")
    rating = 4
    comments = "Well organised."


class FeedbackQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackQuestion

    event = factory.SubFactory(EventFactory)
    position = factory.Sequence(lambda n: n)
    kind = FeedbackQuestion.Kind.RATING
    prompt = factory.Sequence(lambda n: f"How useful was part {n}?")
    required = False
