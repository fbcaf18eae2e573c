"""Demo data for a fresh install: events past, open and upcoming, with their history and four logins.

Everything that the rules allow goes through the services: students, events,
registrations and teams of open events, check-ins, feedback, certificates and a
revocation. A past event's registration window is closed, so its registrations
and teams are written as rows, with ``confirmed_count`` and the waitlist counter
set to match, as the services would have left them; its check-ins, feedback and
certificates go through the services and then get the times they happened.
``check_integrity`` checks the result. The services' emails to students are not sent.

Idempotent: logins and students are upserted, and a demo event that exists is
kept as it is; ``--reset`` rebuilds the demo events.
"""

from datetime import datetime, timedelta

import factory.random
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from certificates.models import Certificate, CertificateTemplate
from certificates.services import (
    Signatory,
    certificate_issue_all_eligible,
    certificate_revoke,
    certificate_template_create,
)
from clubs.models import Club, ClubMembership
from clubs.services import club_create, club_member_set
from events.models import Event
from events.services import QuestionSpec, SessionSpec, event_create, event_publish
from registrations.models import (
    AccessCode,
    Attendance,
    Feedback,
    FeedbackQuestion,
    Registration,
    RegistrationStatus,
    Student,
    Team,
)
from registrations.services import (
    access_codes_generate,
    attendance_mark,
    feedback_submit,
    registration_approve,
    registration_create,
    registration_reject,
    student_signup,
    student_upsert,
    team_register,
)
from registrations.teams import team_create
from tests.factories import FeedbackQuestionFactory, RegistrationFactory, StudentFactory, TeamFactory

STAFF_LOGIN = ("admin", "admin-demo-2026")
ORGANIZER_LOGIN = ("organizer", "organizer-demo-2026")
STUDENT_PASSWORD = "student-demo-2026"
STUDENT_LOGINS = ("22CSE30001", "22ECE30107")

# Fixed enrollment numbers: re-running finds the same students.
DEMO_STUDENTS = (
    [f"22CSE{30001 + n}" for n in range(12)]
    + [f"22ECE{30101 + n}" for n in range(12)]
    + [f"23ME{30201 + n}" for n in range(8)]
    + [f"23IT{30301 + n}" for n in range(8)]
    + [f"24EEE{30401 + n}" for n in range(6)]
    + [f"25CE{30501 + n}" for n in range(6)]
)
YEAR_OF_STUDY = {"22": 4, "23": 3, "24": 2, "25": 1}

AI_WORKSHOP = "demo-ai-workshop"
CODEFEST = "demo-codefest"
ROBOTICS_TALK = "demo-robotics-talk"
HACKATHON = "demo-hackathon"
CULTURAL_FEST = "demo-cultural-fest"
GIT_WORKSHOP = "demo-git-workshop"
CTF_NIGHT = "demo-ctf-night"
RESEARCH_TALK = "demo-research-talk"
VLSI_LAB = "demo-vlsi-lab"
ALUMNI_EVENING = "demo-alumni-evening"
DEMO_EVENT_IDS = (
    AI_WORKSHOP,
    CODEFEST,
    ROBOTICS_TALK,
    HACKATHON,
    CULTURAL_FEST,
    GIT_WORKSHOP,
    CTF_NIGHT,
    RESEARCH_TALK,
    VLSI_LAB,
    ALUMNI_EVENING,
)
DEMO_CLUB = "demo-coding-club"
DEMO_COLLEGE = "Demo College of Engineering"
DEMO_TEMPLATE = "College certificate"
STUDENT_ORGANIZER = STUDENT_LOGINS[0]

COMMENTS = (
    "Hands-on and well paced; the second day's lab was the best part.",
    "Good speakers. The hall was too warm in the afternoon.",
    "Loved the mentors. Please share the slides.",
    "Useful, but the Wi-Fi kept dropping.",
    "Well organised from registration to certificates.",
    "",
)
SUGGESTIONS = ("More time for the deployment lab.", "A session on evaluating models.", "", "Dataset cleaning tips.")


class Command(BaseCommand):
    help = "Load demo events, students, history and four logins (safe to run again; --reset rebuilds the events)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo events and build them again.")

    def handle(self, *args, reset: bool, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates logins whose passwords are published in the README; it runs only with DEBUG on."
            )
        # The services email students as facts change; made-up students get no mail.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed(reset)
        self._print_logins()

    def _seed(self, reset: bool) -> None:
        self.now = timezone.now()
        self.today = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
        with transaction.atomic():
            self.staff = _login(*STAFF_LOGIN, is_staff=True, is_superuser=True, first_name="Admin")
            self.organizer = _login(
                *ORGANIZER_LOGIN, first_name="Meera", last_name="Iyer", email="meera.iyer@college.example"
            )
            self.students = self._students()
            self._student_logins()
            self._coding_club()
            self.template = self._certificate_template()
        if reset:
            _delete_events(DEMO_EVENT_IDS)
            self.stdout.write(f"Removed the demo events: {', '.join(DEMO_EVENT_IDS)}.")
        builders = {
            AI_WORKSHOP: self._ai_workshop,
            CODEFEST: self._codefest,
            ROBOTICS_TALK: self._robotics_talk,
            HACKATHON: self._hackathon,
            CULTURAL_FEST: self._cultural_fest,
            GIT_WORKSHOP: self._git_workshop,
            CTF_NIGHT: self._ctf_night,
            RESEARCH_TALK: self._research_talk,
            VLSI_LAB: self._vlsi_lab,
            ALUMNI_EVENING: self._alumni_evening,
        }
        for event_id, build in builders.items():
            if Event.objects.filter(pk=event_id).exists():
                self.stdout.write(f"Kept {event_id} (already there; --reset rebuilds it).")
                continue
            with transaction.atomic():
                build()
            self.stdout.write(f"Created {event_id}.")
        call_command("check_integrity", *(f"--event={event_id}" for event_id in DEMO_EVENT_IDS), stdout=self.stdout)

    # People

    def _students(self) -> list[Student]:
        factory.random.reseed_random("college-events-demo")
        students = []
        for position, enrollment_no in enumerate(DEMO_STUDENTS):
            made_up = StudentFactory.build(enrollment_no=enrollment_no)
            department = "".join(ch for ch in enrollment_no[2:] if ch.isalpha())
            student, _ = student_upsert(
                enrollment_no=enrollment_no,
                full_name=made_up.full_name,
                email=f"{enrollment_no.lower()}@college.example",
                department=department,
                year=YEAR_OF_STUDY[enrollment_no[:2]],
                phone=f"98{45000000 + position * 1379:08d}",
            )
            students.append(student)
        return students

    def _student_logins(self) -> None:
        for enrollment_no in STUDENT_LOGINS:
            student = Student.objects.select_related("user").get(pk=enrollment_no)
            if student.user is None:
                student_signup(
                    enrollment_no=enrollment_no,
                    full_name=student.full_name,
                    email=student.email,
                    department=student.department,
                    year=student.year,
                    phone=student.phone,
                    password=STUDENT_PASSWORD,
                    verify_email=False,
                )
            else:
                student.user.set_password(STUDENT_PASSWORD)
                student.user.save(update_fields=["password"])

    def _student(self, enrollment_no: str) -> Student:
        return next(student for student in self.students if student.enrollment_no == enrollment_no)

    def _without_login(self) -> list[Student]:
        """The demo students who have no login: the crowd the demo events fill their rosters from."""
        return [student for student in self.students if student.enrollment_no not in STUDENT_LOGINS]

    # Time

    def at(self, days: int, hour: int = 9, minute: int = 0) -> datetime:
        return self.today + timedelta(days=days, hours=hour, minutes=minute)

    # Past events: history written as rows

    def _ai_workshop(self) -> None:
        """Two days, capacity 20 with a waitlist, certificate after both days and feedback; one revoked."""
        event = event_create(
            event_id=AI_WORKSHOP,
            title="Applied AI Workshop",
            description="Two days of hands-on machine learning: from a notebook to a deployed model.",
            venue="CSE Seminar Hall",
            starts_at=self.at(-30, 9, 30),
            ends_at=self.at(-29, 17),
            registration_opens_at=self.at(-45),
            registration_closes_at=self.at(-31, 18),
            capacity=20,
            waitlist_enabled=True,
            min_sessions_for_certificate=2,
            certificate_requires_feedback=True,
            status=Event.Status.PUBLISHED,
            sessions=[
                SessionSpec(code="day-1", title="Day 1: models", starts_at=self.at(-30, 9, 30)),
                SessionSpec(code="day-2", title="Day 2: deployment", starts_at=self.at(-29, 9, 30)),
            ],
            organizers=[ORGANIZER_LOGIN[0]],
            certificate_template=self.template.pk,
        )
        day_one, day_two = event.sessions.order_by("position")
        labs = FeedbackQuestionFactory(
            event=event, position=0, prompt="How useful were the hands-on labs?", required=True
        )
        next_time = FeedbackQuestionFactory(
            event=event, position=1, kind=FeedbackQuestion.Kind.TEXT, prompt="What should we add next time?"
        )
        # 22CSE30001 first (attends both days, gives feedback); 22ECE30107 attends day 1 only.
        roster = [self._student("22CSE30001"), self._student("22ECE30107")] + self._without_login()[:21]
        registered = self.at(-44, 10)
        confirmed = []
        for position, student in enumerate(roster[:20]):
            confirmed.append(
                RegistrationFactory(
                    event=event, student=student, registered_at=registered + timedelta(hours=position * 7)
                )
            )
        for seq, student in enumerate(roster[20:22], start=1):
            RegistrationFactory(
                event=event,
                student=student,
                status=RegistrationStatus.WAITLISTED,
                waitlist_seq=seq,
                registered_at=self.at(-33, 11 + seq),
            )
        RegistrationFactory(
            event=event,
            student=roster[22],
            status=RegistrationStatus.CANCELLED,
            registered_at=self.at(-43, 16),
            cancelled_at=self.at(-35, 9),
        )
        Event.objects.filter(pk=event.pk).update(confirmed_count=len(confirmed), waitlist_counter=2)
        for position, registration in enumerate(confirmed[:18]):
            self._checked_in(registration, day_one, position)
            if position != 1 and position < 16:
                self._checked_in(registration, day_two, position)
            if position < 14 or position in (16, 17):
                answers = {
                    labs.pk: (5, 4, 4, 3, 5)[position % 5],
                    next_time.pk: SUGGESTIONS[position % len(SUGGESTIONS)],
                }
                self._feedback(registration, position, self.at(-29, 18), answers)
        self._certificates_issued(event, self.organizer, self.at(-27, 11))
        revoked = Certificate.objects.filter(event=event).exclude(student_id="22CSE30001").order_by("pk").first()
        certificate_revoke(
            event=event,
            enrollment_no=revoked.student_id,
            reason="Day 2 attendance was marked by a friend.",
            actor=self.staff,
        )

    def _codefest(self) -> None:
        """A past team contest: five teams of three, four of them came."""
        event = event_create(
            event_id=CODEFEST,
            title="CodeFest 2026",
            description="Teams of two to four solve algorithmic problems against the clock.",
            venue="Computer Centre, Lab 3",
            starts_at=self.at(-12, 10),
            ends_at=self.at(-12, 16),
            registration_opens_at=self.at(-25),
            registration_closes_at=self.at(-13, 12),
            capacity=24,
            registration_mode=Event.Mode.TEAM,
            team_size_min=2,
            team_size_max=4,
            status=Event.Status.PUBLISHED,
        )
        session = event.sessions.get()
        members = [self._student("22ECE30107")] + self._without_login()[20:34]
        names = ("Segfault Squad", "Off By One", "Stack Smashers", "The Recursives", "Big O Notation")
        confirmed = 0
        for number, name in enumerate(names):
            created = self.at(-24 + number, 15)
            team_members = members[number * 3 : number * 3 + 3]
            team = TeamFactory(
                event=event, name=name, leader=team_members[0], status=RegistrationStatus.CONFIRMED, created_at=created
            )
            registrations = [
                RegistrationFactory(event=event, student=student, team=team, registered_at=created)
                for student in team_members
            ]
            confirmed += len(registrations)
            if number == 4:
                continue
            for position, registration in enumerate(registrations):
                self._checked_in(registration, session, number * 3 + position)
                if position < 2:
                    self._feedback(registration, number + position, self.at(-12, 17))
        Event.objects.filter(pk=event.pk).update(confirmed_count=confirmed)
        self._certificates_issued(event, self.staff, self.at(-10, 12))

    def _checked_in(self, registration: Registration, session, position: int) -> None:
        attendance_mark(
            event=registration.event,
            enrollment_no=registration.student_id,
            session=session.code,
            actor=self.staff,
            at=session.starts_at - timedelta(minutes=20) + timedelta(seconds=47 * position),
        )

    def _feedback(self, registration: Registration, position: int, submitted_at: datetime, answers=None) -> None:
        feedback = feedback_submit(
            event=registration.event,
            enrollment_no=registration.student_id,
            rating=(5, 4, 5, 3, 4, 5, 2)[position % 7],
            comments=COMMENTS[position % len(COMMENTS)],
            answers=answers,
        )
        Feedback.objects.filter(pk=feedback.pk).update(submitted_at=submitted_at + timedelta(minutes=13 * position))

    def _certificates_issued(self, event: Event, actor: User, issued_at: datetime) -> None:
        result = certificate_issue_all_eligible(event=event, actor=actor)
        Certificate.objects.filter(pk__in=result.issued.values()).update(issued_at=issued_at)

    # Open and upcoming events: through the services

    def _robotics_talk(self) -> None:
        """Open now; 12 seats, 14 registered, so two wait. 22ECE30107 is on the waitlist."""
        event = event_create(
            event_id=ROBOTICS_TALK,
            title="Robotics in Agriculture: a talk",
            description="How low-cost robots weed, sow and sense soil moisture on Indian farms.",
            venue="Main Auditorium",
            starts_at=self.at(10, 15),
            ends_at=self.at(10, 17),
            registration_opens_at=self.now - timedelta(days=5),
            registration_closes_at=self.at(9, 18),
            capacity=12,
            waitlist_enabled=True,
            status=Event.Status.PUBLISHED,
            organizers=[ORGANIZER_LOGIN[0]],
        )
        roster = ["22CSE30001", *(student.enrollment_no for student in self._without_login()[24:36]), "22ECE30107"]
        for enrollment_no in roster:
            registration_create(event=event, enrollment_no=enrollment_no)

    def _hackathon(self) -> None:
        """An open two-day team hackathon; 22CSE30001 leads a team; a team still forming has invited 22ECE30107."""
        event = event_create(
            event_id=HACKATHON,
            title="Smart Campus Hackathon",
            description="Build something that makes the campus better in 36 hours. Teams of two to four.",
            venue="Innovation Centre",
            starts_at=self.at(14, 9),
            ends_at=self.at(15, 21),
            registration_opens_at=self.now - timedelta(days=3),
            registration_closes_at=self.at(12, 23, 59),
            capacity=40,
            waitlist_enabled=True,
            registration_mode=Event.Mode.TEAM,
            team_size_min=2,
            team_size_max=4,
            min_sessions_for_certificate=2,
            status=Event.Status.PUBLISHED,
            sessions=[
                SessionSpec(code="day-1", title="Day 1: build", starts_at=self.at(14, 9)),
                SessionSpec(code="day-2", title="Day 2: demo", starts_at=self.at(15, 9)),
            ],
            organizers=[ORGANIZER_LOGIN[0]],
        )
        others = [student.enrollment_no for student in self._without_login()]
        teams = [
            ("Null Pointers", "22CSE30001", others[0:2]),
            ("Campus Coders", others[2], others[3:6]),
            ("Green Bits", others[6], others[7:8]),
            ("Circuit Breakers", others[8], others[9:11]),
        ]
        for name, leader, members in teams:
            team_register(event=event, team_name=name, leader=leader, members=members)
        # Still forming (no seats): its leader invited 22ECE30107 and one more, neither has answered yet.
        team_create(event=event, team_name="Byte Club", leader=others[11], invite=["22ECE30107", others[12]])

    def _cultural_fest(self) -> None:
        """Upcoming: registration opens next week; no limit on seats."""
        event_create(
            event_id=CULTURAL_FEST,
            title="Spandan Cultural Fest",
            description="Music, dance and drama from every department. Register to perform or to volunteer.",
            venue="Open Air Theatre",
            starts_at=self.at(30, 17),
            ends_at=self.at(31, 22),
            registration_opens_at=self.at(7),
            registration_closes_at=self.at(28, 18),
            status=Event.Status.PUBLISHED,
            sessions=[
                SessionSpec(code="evening-1", title="Evening 1", starts_at=self.at(30, 17)),
                SessionSpec(code="evening-2", title="Evening 2", starts_at=self.at(31, 17)),
            ],
        )

    def _certificate_template(self) -> CertificateTemplate:
        """The college-wide template, with the demo college's name and its signatories."""
        existing = CertificateTemplate.objects.filter(club=None, name=DEMO_TEMPLATE).first()
        if existing is not None:
            return existing
        return certificate_template_create(
            club=None,
            name=DEMO_TEMPLATE,
            institution=DEMO_COLLEGE,
            accent_color="#1f5f8b",
            body="This certifies that {student_name} took part in {event_title}, held on {event_dates}.",
            signatories=[
                Signatory("Dr. Kavita Menon", "Principal"),
                Signatory("Prof. Arjun Rao", "Dean, Student Affairs"),
            ],
            actor=self.staff,
        )

    # A club run by a student

    def _coding_club(self) -> None:
        """The organizer login owns the club; the first demo student organizes its events."""
        if not Club.objects.filter(pk=DEMO_CLUB).exists():
            club_create(
                club_id=DEMO_CLUB,
                name="Coding Club",
                kind=Club.Kind.CLUB,
                department="CSE",
                contact_email="coding.club@college.example",
                owners=[ORGANIZER_LOGIN[0]],
            )
        club_member_set(
            club=Club.objects.get(pk=DEMO_CLUB), username=STUDENT_ORGANIZER, role=ClubMembership.Role.ORGANIZER
        )

    def _git_workshop(self) -> None:
        """Created as a draft and published by the student organizer: its audit trail shows both.
        It asks two questions; some registrants have answered them (the roster shows the answers)."""
        event = self._club_event(
            GIT_WORKSHOP,
            title="Intro to Git Workshop",
            description="Branches, merges and pull requests, hands on. Bring a laptop.",
            venue="Lab 3, Block B",
            starts_at=self.at(12, 15),
            ends_at=self.at(12, 18),
            capacity=30,
            questions=[
                QuestionSpec(
                    code="git-level",
                    label="How well do you know Git?",
                    kind="choice",
                    choices=("Never used it", "Commit and push", "Branches and merges"),
                    required=True,
                ),
                QuestionSpec(code="laptop", label="Bringing your own laptop?", kind="yes_no"),
            ],
        )
        levels = ("Never used it", "Commit and push", "Branches and merges")
        for position, student in enumerate(self.students[12:18]):
            registration_create(
                event=event,
                enrollment_no=student.pk,
                answers={"git-level": levels[position % 3], "laptop": position % 4 != 1},
            )

    def _ctf_night(self) -> None:
        """A draft of the club's: only the club's members and staff see it."""
        event_create(
            event_id=CTF_NIGHT,
            title="Capture the Flag Night",
            description="Security puzzles in teams of two to three, till midnight.",
            venue="Lab 3, Block B",
            starts_at=self.at(21, 19),
            ends_at=self.at(21, 23, 59),
            registration_mode=Event.Mode.TEAM,
            team_size_min=2,
            team_size_max=3,
            club=DEMO_CLUB,
            actor=User.objects.get(username=STUDENT_ORGANIZER),
        )

    # Who may register: approval, one department and its senior years, by invitation

    def _club_event(self, event_id: str, **fields) -> Event:
        """A club event created and published by the student organizer."""
        student_organizer = User.objects.get(username=STUDENT_ORGANIZER)
        event = event_create(event_id=event_id, club=DEMO_CLUB, actor=student_organizer, **fields)
        return event_publish(event=event, actor=student_organizer)

    def _research_talk(self) -> None:
        """Each registration waits for the organizers' approval: two approved, one rejected, the rest waiting
        (22ECE30107's among them)."""
        event = self._club_event(
            RESEARCH_TALK,
            title="Research Internships: How to Apply",
            description="Faculty explain the summer research internships; seats go to students the panel approves.",
            venue="CSE Seminar Hall",
            starts_at=self.at(8, 16),
            ends_at=self.at(8, 17, 30),
            capacity=25,
            waitlist_enabled=True,
            approval_required=True,
        )
        applicants = ["22CSE30004", "22CSE30005", "23IT30301", "22ECE30102", "22ECE30107", "23ME30202"]
        requests = [registration_create(event=event, enrollment_no=enrollment_no) for enrollment_no in applicants]
        student_organizer = User.objects.get(username=STUDENT_ORGANIZER)
        registration_approve(registration=requests[0], actor=student_organizer)
        registration_approve(registration=requests[1], actor=student_organizer)
        registration_reject(
            registration=requests[2], reason="This year's internships are for CSE.", actor=self.organizer
        )

    def _vlsi_lab(self) -> None:
        """Only ECE students in years 3 and 4: 22CSE30001 reads why they cannot register, 22ECE30107 can."""
        event = self._club_event(
            VLSI_LAB,
            title="VLSI Design Lab Tour",
            description="A guided afternoon in the VLSI lab with the chip-design research group.",
            venue="ECE Block, VLSI Lab",
            starts_at=self.at(6, 14),
            ends_at=self.at(6, 17),
            capacity=15,
            eligible_departments=["ECE"],
            eligible_years=[3, 4],
        )
        for enrollment_no in ("22ECE30101", "22ECE30103", "22ECE30104"):
            registration_create(event=event, enrollment_no=enrollment_no)

    def _alumni_evening(self) -> None:
        """By invitation: five codes, each for three registrations; one was used once."""
        event = self._club_event(
            ALUMNI_EVENING,
            title="Alumni Mentoring Evening",
            description="Small-group mentoring with alumni from industry and research. By invitation.",
            venue="Alumni Lounge",
            starts_at=self.at(11, 18),
            ends_at=self.at(11, 20, 30),
            capacity=40,
            access_code_required=True,
        )
        codes = access_codes_generate(event=event, count=5, max_uses=3, actor=self.organizer)
        registration_create(event=event, enrollment_no="22CSE30006", access_code=codes[0].code)

    def _print_logins(self) -> None:
        rows = [
            ("staff", *STAFF_LOGIN, "everything, in the admin"),
            ("organizer", *ORGANIZER_LOGIN, "check-in, certificates, lists; owns the Coding Club"),
            *(
                ("student", enrollment_no, STUDENT_PASSWORD, "registers, checks in, feedback")
                for enrollment_no in STUDENT_LOGINS
            ),
        ]
        self.stdout.write(f"\nDemo logins (site: {settings.SITE_URL}/, admin: {settings.SITE_URL}/admin/):")
        for role, username, password, note in rows:
            self.stdout.write(f"  {role:<14} {username:<11} {password:<20} {note}".rstrip())
        codes = AccessCode.objects.filter(event_id=ALUMNI_EVENING).order_by("created_at", "id")
        if codes:
            listed = ", ".join(f"{code.code} ({code.uses_left} left)" for code in codes)
            self.stdout.write(f"\nAccess codes of the invite-only {ALUMNI_EVENING} (type one on its page): {listed}")


def _login(username: str, password: str, **attributes) -> User:
    """Create or reset a demo login so that its documented password always works."""
    user = User.objects.filter(username=username).first() or User(username=username)
    for name, value in attributes.items():
        setattr(user, name, value)
    user.set_password(password)
    user.save()
    return user


def _delete_events(event_ids) -> None:
    """Rows that protect each other go first, then the events (and their sessions)."""
    with transaction.atomic():
        for model in (Certificate, Feedback, Attendance, Registration, Team):
            model.objects.filter(event_id__in=event_ids).delete()
        Event.objects.filter(pk__in=event_ids).delete()
