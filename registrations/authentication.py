from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from registrations.models import Student


@cache
def _token_lookup_sql() -> str:
    """The token, its user and the user's student (if any) in one SELECT, columns in model order."""
    user_model = get_user_model()
    quote = connection.ops.quote_name

    def columns(alias: str, model) -> list[str]:
        return [f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields]

    token, user, student = Token._meta, user_model._meta, Student._meta
    user_pk = quote(user.pk.column)
    selected = ", ".join(columns("t", Token) + columns("u", user_model) + columns("s", Student))
    return (
        f"SELECT {selected} FROM {quote(token.db_table)} t "
        f"JOIN {quote(user.db_table)} u ON u.{user_pk} = t.{quote(token.get_field('user').column)} "
        f"LEFT JOIN {quote(student.db_table)} s ON s.{quote(student.get_field('user').column)} = u.{user_pk} "
        f"WHERE t.{quote(token.pk.column)} = %s"
    )


@cache
def _converters(model) -> list[tuple]:
    """The database-to-Python converters of each of the model's columns that has any (as the ORM applies them)."""
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((position, column, converters))
    return found


def _instance(model, values: tuple):
    values = list(values)
    for position, column, converters in _converters(model):
        for converter in converters:
            values[position] = converter(values[position], column, connection)
    return model.from_db(connection.alias, [field.attname for field in model._meta.concrete_fields], values)


class StudentTokenAuthentication(TokenAuthentication):
    """DRF's token authentication in one query that also loads the login's student.

    Nearly every API call asks "which student is this?" (acting for oneself, defaulting
    the enrollment number); loading it with the token saves a query on each of them. The
    query is built once from the models' fields and read into model instances, the same
    rows ``select_related("user__student")`` would give without compiling it per request.
    """

    def authenticate_credentials(self, key):
        with connection.cursor() as cursor:
            cursor.execute(_token_lookup_sql(), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user_model = get_user_model()
        token_width, user_width = len(Token._meta.concrete_fields), len(user_model._meta.concrete_fields)
        token = _instance(Token, row[:token_width])
        user = _instance(user_model, row[token_width : token_width + user_width])
        student_values = row[token_width + user_width :]
        student = _instance(Student, student_values) if student_values[0] is not None else None
        token.user = user
        user_model.student.related.set_cached_value(user, student)
        if student is not None:
            Student.user.field.set_cached_value(student, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
