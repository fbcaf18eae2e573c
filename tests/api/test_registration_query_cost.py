"""What one registration over the API costs in queries: the figure the registration burst depends on."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_student_registering_themselves_costs_five_queries(event, student, django_assert_num_queries):
    client = token_client(student.user)

    # token+user+student, BEGIN, insert, the seat taken by one conditional UPDATE, COMMIT
    with django_assert_num_queries(5):
        response = client.post(f"/api/v2/register/individual/{event.pk}", {}, format="json")

    assert response.status_code == 201
    assert response.json()["enrollment_no"] == student.enrollment_no


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
