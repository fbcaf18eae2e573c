import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import services
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_issue_all_eligible, certificate_revoke
from eventsite.errors import NotAuthenticated, NotEligible, NotFound, PermissionDenied, ValidationFailed
from registrations.services import attendance_mark, feedback_submit, registration_create
from tests.factories import EventFactory, StudentFactory, StudentUserFactory

pytestmark = pytest.mark.django_db


def _attended(event, sessions=("main",), feedback=False):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    for code in sessions:
        attendance_mark(event=event, enrollment_no=student.pk, session=code, at=event.sessions.get(code=code).starts_at)
    if feedback:
        feedback_submit(event=event, enrollment_no=student.pk, rating=5)
    return student


def test_certificate_issue_to_an_attendee(event, organizer):
    student = _attended(event)

    certificate, created = certificate_issue(event=event, enrollment_no=student.pk.lower(), actor=organizer)

    assert created
    assert certificate.student_id == student.pk
    assert certificate.issued_by == organizer
    assert certificate.registration.student_id == student.pk
    assert certificate.verify_url == settings.SITE_URL + reverse("certificate-verify", args=[certificate.pk])
    assert event.certificates[student.pk] == certificate.pk


def test_issuing_again_returns_the_existing_certificate(event):
    student = _attended(event)
    first, _ = certificate_issue(event=event, enrollment_no=student.pk)

    again, created = certificate_issue(event=event, enrollment_no=student.pk)

    assert not created
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1


def test_a_student_not_registered_is_not_eligible(event):
    with pytest.raises(NotEligible) as error:
        certificate_issue(event=event, enrollment_no=StudentFactory().pk)
    assert error.value.code == "NOT_ELIGIBLE"
    assert error.value.details == {"reason": "not_confirmed", "missing": ["a confirmed registration"]}


def test_a_waitlisted_student_is_not_eligible():
    event = EventFactory(capacity=0, waitlist_enabled=True)
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(NotEligible) as error:
        certificate_issue(event=event, enrollment_no=student.pk)
    assert error.value.details["reason"] == "not_confirmed"


def test_a_student_who_did_not_attend_is_not_eligible(event):
    student = StudentFactory()
    registration_create(event=event, enrollment_no=student.pk)
    with pytest.raises(NotEligible) as error:
        certificate_issue(event=event, enrollment_no=student.pk)
    assert error.value.details == {
        "reason": "not_enough_sessions",
        "missing": ["1 more session"],
        "sessions_attended": 0,
        "sessions_required": 1,
    }
    assert not Certificate.objects.exists()


def test_the_minimum_number_of_sessions_is_required():
    event = EventFactory(sessions=["day-1", "day-2", "day-3"], min_sessions_for_certificate=2)
    one_day = _attended(event, sessions=["day-1"])
    two_days = _attended(event, sessions=["day-1", "day-3"])

    with pytest.raises(NotEligible) as error:
        certificate_issue(event=event, enrollment_no=one_day.pk)

    assert error.value.details == {
        "reason": "not_enough_sessions",
        "missing": ["1 more session"],
        "sessions_attended": 1,
        "sessions_required": 2,
    }
    assert error.value.message == "This student is not eligible: they attended 1 of the 2 sessions needed."
    assert certificate_issue(event=event, enrollment_no=two_days.pk)[1]


def test_feedback_is_required_when_the_event_says_so():
    event = EventFactory(certificate_requires_feedback=True)
    silent = _attended(event)
    vocal = _attended(event, feedback=True)

    with pytest.raises(NotEligible) as error:
        certificate_issue(event=event, enrollment_no=silent.pk)

    assert error.value.details == {
        "reason": "feedback_required",
        "missing": ["feedback"],
        "sessions_attended": 1,
        "sessions_required": 1,
    }
    assert certificate_issue(event=event, enrollment_no=vocal.pk)[1]


def test_only_organizers_issue_certificates(event, organizer, staff_user):
    student = StudentUserFactory()
    registration_create(event=event, enrollment_no=student.pk)
    attendance_mark(event=event, enrollment_no=student.pk)

    with pytest.raises(PermissionDenied):
        certificate_issue(event=event, enrollment_no=student.pk, actor=student.user)
    with pytest.raises(NotAuthenticated):
        certificate_issue(event=event, enrollment_no=student.pk, actor=AnonymousUser())
    with pytest.raises(PermissionDenied):
        certificate_issue(event=EventFactory(), enrollment_no=student.pk, actor=organizer)
    assert certificate_issue(event=event, enrollment_no=student.pk, actor=staff_user)[1]


def test_bulk_issue_gives_every_eligible_student_a_certificate_and_says_why_the_others_got_none():
    event = EventFactory(certificate_requires_feedback=True)
    eligible = [_attended(event, feedback=True) for _ in range(3)]
    no_feedback = _attended(event)
    absent = StudentFactory()
    registration_create(event=event, enrollment_no=absent.pk)
    earlier, _ = certificate_issue(event=event, enrollment_no=eligible[0].pk)

    result = certificate_issue_all_eligible(event=event)

    assert set(result.issued) == {s.pk for s in eligible}
    assert result.issued[eligible[0].pk] == earlier.pk
    assert result.skipped == {no_feedback.pk: "NOT_ELIGIBLE", absent.pk: "NOT_ELIGIBLE"}
    assert result.created == 2
    assert dict(event.certificates) == result.issued


def test_bulk_issue_again_creates_nothing_new(event):
    for _ in range(2):
        _attended(event)
    first = certificate_issue_all_eligible(event=event)
    again = certificate_issue_all_eligible(event=event)
    assert again.created == 0
    assert again.issued == first.issued
    assert Certificate.objects.count() == 2


def test_bulk_issue_runs_in_a_fixed_number_of_queries(event, django_assert_max_num_queries):
    for _ in range(12):
        _attended(event)
    with django_assert_max_num_queries(9):  # one of them writes the twelve outbox rows
        result = certificate_issue_all_eligible(event=event)
    assert result.created == 12


def test_bulk_issue_queries_grow_by_chunk_not_by_certificate(event, monkeypatch):
    """Each chunk of new certificates costs the same few queries, whatever the chunk holds."""
    monkeypatch.setattr(services, "ISSUE_CHUNK", 4)
    _attended(event, sessions=())  # never eligible: costs no round
    counts = []
    for new in (2, 6, 10):  # one, two and three chunks; those issued before are left alone
        for _ in range(new):
            _attended(event)
        with CaptureQueriesContext(connection) as queries:
            result = certificate_issue_all_eligible(event=event)
        counts.append((result.created, len(queries)))
    assert [created for created, _ in counts] == [2, 6, 10]
    per_chunk = counts[1][1] - counts[0][1]
    assert 0 < per_chunk <= 4  # which gained one meanwhile, eligibility again, certificates, outbox rows
    assert counts[2][1] - counts[1][1] == per_chunk


def test_bulk_issue_in_chunks_keeps_the_answer_and_counts_only_keeps_no_list(event, monkeypatch):
    monkeypatch.setattr(services, "ISSUE_CHUNK", 2)
    eligible = [_attended(event) for _ in range(5)]
    absent = _attended(event, sessions=())
    certificate_issue(event=event, enrollment_no=eligible[1].pk)
    certificate_revoke(event=event, enrollment_no=eligible[1].pk, reason="Plagiarism")
    earlier, _ = certificate_issue(event=event, enrollment_no=eligible[3].pk)

    counted = certificate_issue_all_eligible(event=event, listing=False)
    listed = certificate_issue_all_eligible(event=event)

    assert (counted.created, counted.holders, counted.not_issued) == (3, 4, 2)
    assert counted.issued == counted.skipped == {}
    assert listed.skipped == {eligible[1].pk: "CERTIFICATE_REVOKED", absent.pk: "NOT_ELIGIBLE"}
    assert listed.issued == dict(event.certificates) and listed.issued[eligible[3].pk] == earlier.pk
    assert (listed.created, listed.holders, listed.not_issued) == (0, 4, 2)
    assert Certificate.objects.filter(event=event).count() == 5


def test_bulk_issue_skips_a_revoked_certificate(event):
    student = _attended(event)
    certificate_issue(event=event, enrollment_no=student.pk)
    certificate_revoke(event=event, enrollment_no=student.pk, reason="Plagiarism")

    result = certificate_issue_all_eligible(event=event)

    assert result.skipped == {student.pk: "CERTIFICATE_REVOKED"}
    assert result.issued == {}


def test_revoking_keeps_the_row_with_reason_time_and_who(event, organizer):
    student = _attended(event)
    certificate, _ = certificate_issue(event=event, enrollment_no=student.pk)

    revoked = certificate_revoke(event=event, enrollment_no=student.pk, reason="  Plagiarism  ", actor=organizer)

    stored = Certificate.objects.get(pk=certificate.pk)
    assert revoked.pk == certificate.pk
    assert stored.is_revoked
    assert stored.status == "revoked"
    assert stored.revoked_reason == "Plagiarism"
    assert stored.revoked_by == organizer
    assert student.pk not in event.certificates
    assert dict(event.certificates) == {}


def test_revoking_again_keeps_the_first_reason_and_time(event):
    student = _attended(event)
    certificate_issue(event=event, enrollment_no=student.pk)
    first = certificate_revoke(event=event, enrollment_no=student.pk, reason="First")

    again = certificate_revoke(event=event, enrollment_no=student.pk, reason="Second")

    assert (again.revoked_at, again.revoked_reason) == (first.revoked_at, "First")


def test_a_revoked_certificate_is_not_reissued(event):
    student = _attended(event)
    certificate_issue(event=event, enrollment_no=student.pk)
    certificate_revoke(event=event, enrollment_no=student.pk, reason="Plagiarism")
    with pytest.raises(NotEligible) as error:
        certificate_issue(event=event, enrollment_no=student.pk)
    assert error.value.details == {"reason": "revoked", "kind": "participation"}


def test_revoking_needs_a_reason(event):
    student = _attended(event)
    certificate_issue(event=event, enrollment_no=student.pk)
    with pytest.raises(ValidationFailed) as error:
        certificate_revoke(event=event, enrollment_no=student.pk, reason="  ")
    assert "reason" in error.value.details


def test_revoking_a_missing_certificate_is_not_found(event):
    with pytest.raises(NotFound) as error:
        certificate_revoke(event=event, enrollment_no=StudentFactory().pk, reason="x")
    assert error.value.details["what"] == "certificate"


def test_only_organizers_revoke(event):
    student = _attended(event)
    certificate_issue(event=event, enrollment_no=student.pk)
    outsider = StudentUserFactory()
    with pytest.raises(PermissionDenied):
        certificate_revoke(event=event, enrollment_no=student.pk, reason="x", actor=outsider.user)
    assert not Certificate.objects.get(student=student).is_revoked
