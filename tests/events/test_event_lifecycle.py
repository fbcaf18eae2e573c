from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, EventAuditEntry
from events.selectors import event_get_visible
from events.services import event_approve, event_cancel, event_create, event_publish, event_update
from eventsite.errors import NotFound, PermissionDenied, RegistrationClosed, ValidationFailed
from registrations.models import Registration, Team
from registrations.services import registration_create, team_register
from tests.factories import ClubFactory, EventFactory, StaffFactory, StudentFactory, TeamEventFactory, UserFactory

pytestmark = pytest.mark.django_db


def trail(event: Event) -> list[tuple]:
    return [
        (entry.actor_name, entry.action, entry.before, entry.after, entry.note)
        for entry in EventAuditEntry.objects.filter(event=event).order_by("at", "id")
    ]


@pytest.fixture
def organizer_and_draft(db):
    organizer = UserFactory(username="asha")
    club = ClubFactory(organizers=[organizer])
    starts = timezone.now() + timedelta(days=10)
    draft = event_create(
        event_id="code-jam",
        title="Code Jam",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        club=club.pk,
        actor=organizer,
    )
    return organizer, draft


def test_creating_an_event_leaves_an_audit_row(organizer_and_draft):
    organizer, draft = organizer_and_draft
    [(who, action, before, after, _)] = trail(draft)
    assert (who, action, before) == ("asha", "created", None)
    assert after == {"status": "draft", "capacity": None, "club": draft.club_id}


def test_a_draft_is_invisible_to_students_and_closed_to_registration(organizer_and_draft):
    organizer, draft = organizer_and_draft
    student = StudentFactory()
    with pytest.raises(NotFound):
        event_get_visible(draft.pk, UserFactory())
    with pytest.raises(RegistrationClosed):
        registration_create(event=draft, enrollment_no=student.pk)
    assert event_get_visible(draft.pk, organizer).pk == draft.pk


def test_an_organizer_publishes_a_draft(organizer_and_draft):
    organizer, draft = organizer_and_draft
    published = event_publish(event=draft, actor=organizer)
    assert published.status == Event.Status.PUBLISHED
    assert trail(draft)[-1][:4] == ("asha", "published", {"status": "draft"}, {"status": "published"})
    assert event_get_visible(draft.pk, None).status == "published"


def test_publishing_twice_changes_nothing(organizer_and_draft):
    organizer, draft = organizer_and_draft
    event_publish(event=draft, actor=organizer)
    event_publish(event=draft, actor=organizer)
    assert [row[1] for row in trail(draft)] == ["created", "published"]


def test_someone_else_cannot_publish(organizer_and_draft):
    _, draft = organizer_and_draft
    with pytest.raises(PermissionDenied):
        event_publish(event=draft, actor=UserFactory())
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_with_approval_required_an_organizer_only_submits(organizer_and_draft, settings):
    settings.EVENT_APPROVAL_REQUIRED = True
    organizer, draft = organizer_and_draft
    submitted = event_publish(event=draft, actor=organizer)
    assert submitted.status == Event.Status.PENDING_APPROVAL
    assert trail(draft)[-1][1] == "submitted"
    with pytest.raises(NotFound):
        event_get_visible(draft.pk, None)
    with pytest.raises(RegistrationClosed):
        registration_create(event=draft, enrollment_no=StudentFactory().pk)


def test_staff_approve_what_waits_and_only_staff(organizer_and_draft, settings):
    settings.EVENT_APPROVAL_REQUIRED = True
    organizer, draft = organizer_and_draft
    event_publish(event=draft, actor=organizer)
    with pytest.raises(PermissionDenied):
        event_approve(event=draft, actor=organizer)
    staff = StaffFactory(username="dean")
    approved = event_approve(event=draft, actor=staff)
    assert approved.status == Event.Status.PUBLISHED
    assert trail(draft)[-1][:4] == ("dean", "approved", {"status": "pending_approval"}, {"status": "published"})


def test_approving_an_event_that_does_not_wait_is_refused(organizer_and_draft):
    _, draft = organizer_and_draft
    with pytest.raises(ValidationFailed) as refused:
        event_approve(event=draft, actor=StaffFactory())
    assert list(refused.value.details) == ["status"]


def test_with_approval_required_staff_publish_at_once(organizer_and_draft, settings):
    settings.EVENT_APPROVAL_REQUIRED = True
    _, draft = organizer_and_draft
    assert event_publish(event=draft, actor=StaffFactory()).status == Event.Status.PUBLISHED


def test_cancelling_cancels_every_active_registration_and_tells_each_why(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    seated, waiting = StudentFactory.create_batch(2)
    for student in (seated, waiting):
        registration_create(event=event, enrollment_no=student.pk)
    mail.outbox.clear()
    organizer = UserFactory(username="asha")
    event.organizers.add(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = event_cancel(event=event, reason="The hall is flooded.", actor=organizer)

    assert (cancelled.status, cancelled.confirmed_count, cancelled.cancellation_reason) == (
        "cancelled",
        0,
        "The hall is flooded.",
    )
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {"cancelled"}
    assert sorted(message.to[0] for message in mail.outbox) == sorted([seated.email, waiting.email])
    assert all("The hall is flooded." in message.body for message in mail.outbox)
    assert trail(event)[-1] == (
        "asha",
        "cancelled",
        {"status": "published"},
        {"status": "cancelled"},
        "The hall is flooded.",
    )


def test_cancelling_again_tells_no_one_twice(django_capture_on_commit_callbacks):
    event = EventFactory()
    registration_create(event=event, enrollment_no=StudentFactory().pk)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, reason="Rain.")
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, reason="Rain again.")
    assert len(mail.outbox) == sent
    assert [row[1] for row in trail(event)] == ["cancelled"]


def test_cancelling_a_team_event_cancels_its_teams():
    event = TeamEventFactory()
    leader, member = StudentFactory.create_batch(2)
    team_register(event=event, team_name="Alpha", leader=leader.pk, members=[member.pk])
    event_cancel(event=event)
    assert list(Team.objects.filter(event=event).values_list("status", flat=True)) == ["cancelled"]


def test_someone_else_cannot_cancel():
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        event_cancel(event=event, actor=UserFactory())
    event.refresh_from_db()
    assert event.status == "published"


def test_a_changed_capacity_is_audited_with_before_and_after_and_promotes_the_waitlist():
    event = EventFactory(capacity=1, waitlist_enabled=True)
    first, second = StudentFactory.create_batch(2)
    registration_create(event=event, enrollment_no=first.pk)
    waiting = registration_create(event=event, enrollment_no=second.pk)
    staff = StaffFactory(username="dean")

    event_update(event=event, capacity=2, actor=staff)

    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert trail(event)[-1][:4] == ("dean", "capacity_changed", {"capacity": 1}, {"capacity": 2})


def test_lowering_the_capacity_below_the_confirmed_is_refused_and_not_audited():
    event = EventFactory(capacity=2)
    for student in StudentFactory.create_batch(2):
        registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(ValidationFailed) as refused:
        event_update(event=event, capacity=1, actor=StaffFactory())
    assert "2 students are already confirmed" in refused.value.details["capacity"][0]
    assert trail(event) == []
    event.refresh_from_db()
    assert event.capacity == 2


def test_an_unchanged_capacity_is_not_audited():
    event = EventFactory(capacity=5)
    event_update(event=event, capacity=5, venue="Lab 2", actor=StaffFactory())
    assert trail(event) == []
