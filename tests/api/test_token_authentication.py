"""The API's token lookup is one prebuilt query on private ORM API, kept for its measured gain (PERFORMANCE.md)."""

import django
import pytest
from django.contrib.auth.models import User
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from registrations.authentication import StudentTokenAuthentication
from tests.factories import StudentUserFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_lookup_was_checked_against_this_django_release():
    """``registrations/authentication.py`` reads rows with ``_meta``, ``from_db``, ``get_db_converters`` and
    ``set_cached_value``, which a Django release may change without notice. On an upgrade: run this module,
    compare with the ORM's answer below, and move the release named here."""
    assert django.VERSION[:2] == (5, 2), "re-check registrations/authentication.py against this Django release"


def test_the_prebuilt_lookup_gives_what_the_orm_gives_for_a_student():
    student = StudentUserFactory()
    key = Token.objects.create(user=student.user).key
    expected = Token.objects.select_related("user__student").get(key=key)

    user, token = StudentTokenAuthentication().authenticate_credentials(key)

    assert _fields(token) == _fields(expected)
    assert _fields(user) == _fields(expected.user)
    assert _fields(user.student) == _fields(expected.user.student)
    assert user.student.user is user and token.user is user


def test_the_prebuilt_lookup_gives_a_login_without_a_student_none(django_assert_num_queries):
    staff = User.objects.create_user(username="organizer", password="x", is_staff=True)
    key = Token.objects.create(user=staff).key

    with django_assert_num_queries(1):
        user, _ = StudentTokenAuthentication().authenticate_credentials(key)
        assert getattr(user, "student", None) is None

    assert _fields(user) == _fields(staff)


def test_an_unknown_token_or_an_inactive_login_is_refused():
    student = StudentUserFactory()
    key = Token.objects.create(user=student.user).key
    User.objects.filter(pk=student.user.pk).update(is_active=False)

    with pytest.raises(exceptions.AuthenticationFailed):
        StudentTokenAuthentication().authenticate_credentials("0" * 40)
    with pytest.raises(exceptions.AuthenticationFailed):
        StudentTokenAuthentication().authenticate_credentials(key)
