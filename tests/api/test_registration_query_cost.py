"""What one registration over the API costs in queries: the figure the registration burst depends on."""

import pytest
from django.core import mail
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations.models import Notification
from registrations.services import registration_create
from tests.factories import StudentUserFactory

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _registration_queries(event, student, django_assert_num_queries, expected: int) -> None:
    client = token_client(student.user)
    with django_assert_num_queries(expected) as captured:
        response = client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")
    assert response.status_code == 201, [q["sql"] for q in captured.captured_queries]
    assert response.json()["enrollment_no"] == student.enrollment_no
    assert Notification.objects.filter(student=student, object_id=response.json()["registration_id"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_student_registering_themselves_costs_two_queries_on_postgresql(
    event, student, settings, django_assert_num_queries
):
    """As in production (autocommit, emails left to the worker): the token lookup and one statement.

    SQLite takes the general path: the event, the seat, the registration and the outbox row in one transaction.
    """
    settings.NOTIFICATIONS_SENDER = "worker"
    on_postgresql = connection.vendor == "postgresql"
    # token+user+student; then one statement, or BEGIN, event, seat UPDATE, insert, outbox insert, COMMIT
    _registration_queries(event, student, django_assert_num_queries, 2 if on_postgresql else 7)


def test_inside_a_transaction_the_registration_statement_gets_a_savepoint(
    event, student, settings, django_assert_num_queries
):
    settings.NOTIFICATIONS_SENDER = "worker"
    on_postgresql = connection.vendor == "postgresql"
    # token+user+student, SAVEPOINT, the statement(s), RELEASE SAVEPOINT
    _registration_queries(event, student, django_assert_num_queries, 4 if on_postgresql else 7)


@pytest.mark.django_db(transaction=True)
def test_a_registration_in_request_mode_sends_its_confirmation_after_the_commit(event, student, settings):
    settings.NOTIFICATIONS_SENDER = "request"
    client = token_client(student.user)

    response = client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    [message] = mail.outbox
    assert message.to == [student.email]
    assert response.json()["checkin_code"] in message.body
    assert Notification.objects.get().state == Notification.State.SENT


def test_a_student_registering_twice_is_told_already_registered_and_nothing_changes(event, student):
    client = token_client(student.user)
    client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    again = client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "ALREADY_REGISTERED"
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_the_token_lookup_loads_the_student_so_own_records_need_no_extra_query(student, django_assert_num_queries):
    client = token_client(student.user)

    with django_assert_num_queries(2):  # token+user+student, the student's row for the answer
        response = client.get(f"/api/v2/students/{student.enrollment_no}/")

    assert response.status_code == 200


def test_a_token_of_a_login_without_a_student_still_authenticates(event, staff_user):
    client = token_client(staff_user)

    response = client.get(f"/api/v2/status/{event.pk}")

    assert response.status_code == 200


def test_an_unknown_token_is_refused_with_401(event):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_a_token_of_a_deactivated_login_is_refused_with_401(event, student):
    client = token_client(student.user)
    student.user.is_active = False
    student.user.save()

    response = client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    assert response.status_code == 401
    assert not event.registrations


def test_the_token_lookup_loads_the_same_user_and_student_the_orm_would(student):
    from registrations.authentication import StudentTokenAuthentication

    key = Token.objects.create(user=student.user).key

    user, token = StudentTokenAuthentication().authenticate_credentials(key)

    expected = Token.objects.select_related("user__student").get(key=key)
    assert token.key == key and token.created == expected.created and token.user is user

    def typed(instance) -> list:  # values and their types: a 1 from SQLite is not the boolean True
        return [
            (value, type(value)) for value in (getattr(instance, f.attname) for f in instance._meta.concrete_fields)
        ]

    assert typed(user) == typed(expected.user)
    assert typed(user.student) == typed(expected.user.student)
    assert user.student.user is user


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("already", [False, True], ids=["full", "already-registered"])
def test_the_refusals_of_a_full_event_come_from_the_statement_on_postgresql(
    already, event, student, settings, django_assert_num_queries
):
    """A third of a rush's requests are refused: on PostgreSQL the statement's reading of the event answers them.

    (Its JSON columns decoded: read as text, every plain event looked restricted and took the general
    path, four queries more under the event's lock.) Already registered, the statement also reads the
    registration's status, which tells whether it waits for approval. SQLite's general path: BEGIN,
    the event, who is registered, ROLLBACK.
    """
    settings.NOTIFICATIONS_SENDER = "worker"
    event.capacity = 1
    event.save()
    holder = student if already else StudentUserFactory()
    registration_create(event=event.pk, enrollment_no=holder.pk, actor=holder.user)
    on_postgresql = connection.vendor == "postgresql"
    client = token_client(student.user)

    expected = 2 if on_postgresql else (6 if already else 5)
    with django_assert_num_queries(expected):
        response = client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == ("ALREADY_REGISTERED" if already else "EVENT_FULL")
    event.refresh_from_db()
    assert event.confirmed_count == 1
