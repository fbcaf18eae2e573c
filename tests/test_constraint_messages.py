"""Every model constraint speaks a sentence when a form (the admin's included) breaks it."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from tests.factories import EventFactory

PROJECT_APPS = {
    config.label
    for config in apps.get_app_configs()
    if Path(config.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in config.path
}


def _constraints():
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            for constraint in model._meta.constraints:
                yield pytest.param(model, constraint, id=f"{model._meta.label}.{constraint.name}")


def _django_writes_its_own_sentence(constraint) -> bool:
    """A plain unique constraint on fields reads "X with this A and B already exists."."""
    return isinstance(constraint, models.UniqueConstraint) and constraint.fields and not constraint.condition


@pytest.mark.parametrize(("model", "constraint"), list(_constraints()))
def test_every_constraint_has_a_sentence(model, constraint):
    if _django_writes_its_own_sentence(constraint):
        return
    message = str(constraint.get_violation_error_message())

    assert constraint.name not in message
    assert "violated" not in message
    assert message.endswith(".") and message[0].isupper()


@pytest.mark.django_db
def test_the_admin_shows_the_sentence_for_an_event_that_ends_before_it_starts(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    event = EventFactory()
    starts = timezone.localtime(event.starts_at)
    ends = starts - timedelta(hours=2)
    url = f"/admin/events/event/{event.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, **{k: form[k].value() for k in form.fields}}.items()
        if value is not None
    }
    data.update(
        {
            "starts_at_0": starts.strftime("%Y-%m-%d"),
            "starts_at_1": starts.strftime("%H:%M:%S"),
            "ends_at_0": ends.strftime("%Y-%m-%d"),
            "ends_at_1": ends.strftime("%H:%M:%S"),
        }
    )

    response = client.post(url, data)

    assert b"An event must end after it starts." in response.content
    assert b"is violated" not in response.content
