"""The API's serializers copy their fields cheaply, and end up with what DRF's deep copies give."""

import copy
import importlib

import pytest
from django.urls import get_resolver
from rest_framework import serializers

from eventsite.serializers import Serializer
from registrations.api import RegistrationInputSerializer, RegistrationOutputSerializer, TeamInputSerializer
from registrations.models import Registration


def _subclasses(cls: type) -> set[type]:
    found = set()
    for subclass in cls.__subclasses__():
        found |= {subclass, *_subclasses(subclass)}
    return found


def _api_serializers() -> list[type]:
    assert get_resolver().url_patterns  # imports every app's API module, and with it its serializers
    return sorted(_subclasses(Serializer), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


API_SERIALIZERS = _api_serializers()


def test_every_serializer_of_the_api_is_the_project_s():
    declared_by_drf_directly = [
        f"{cls.__module__}.{cls.__qualname__}"
        for module in {cls.__module__ for cls in API_SERIALIZERS}
        for cls in vars(importlib.import_module(module)).values()
        if isinstance(cls, type) and cls.__module__ == module and serializers.Serializer in cls.__bases__
    ]

    assert len(API_SERIALIZERS) > 60
    assert declared_by_drf_directly == ["eventsite.serializers.Serializer"]


@pytest.mark.parametrize("serializer_class", API_SERIALIZERS, ids=lambda cls: cls.__qualname__)
def test_its_fields_are_the_ones_drf_s_deep_copy_gives(serializer_class):
    ours = serializer_class().fields
    drf = serializers.Serializer.get_fields(serializer_class())

    assert list(ours) == list(drf)
    for name, field in ours.items():
        assert type(field) is type(drf[name])
        assert repr(field) == repr(drf[name])
        assert field is not serializer_class._declared_fields[name]


def test_two_instances_share_no_field_and_each_binds_its_own():
    first, second = RegistrationOutputSerializer(), RegistrationOutputSerializer()

    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    assert first.fields["enrollment_no"].source_attrs == ["student_id"]
    declared = RegistrationOutputSerializer._declared_fields["status"]
    assert (declared.parent, declared.field_name) == (None, None), "the declared field itself is never bound"


def test_one_request_s_errors_do_not_reach_the_next():
    refused = RegistrationInputSerializer(data={"enrollment_no": "x" * 40, "answers": {"diet": "veg"}})
    assert not refused.is_valid()
    accepted = RegistrationInputSerializer(data={"enrollment_no": "22CSE30001"})

    assert accepted.is_valid(), accepted.errors
    assert accepted.validated_data == {"enrollment_no": "22CSE30001"}
    assert list(refused.errors) == ["enrollment_no"]


def test_fields_holding_fields_are_deep_copied_as_drf_does():
    first, second = TeamInputSerializer(), TeamInputSerializer()

    assert first.fields["members"].child is not second.fields["members"].child
    assert first.fields["members"].child.parent is first.fields["members"]
    team = TeamInputSerializer(data={"team_name": "Byte Club", "members": ["22CSE30001", "y" * 40]})
    assert not team.is_valid()
    assert list(team.errors["members"]) == [1]


def test_an_answer_reads_the_same_through_either_copy():
    registration = Registration(
        registration_id="REGCOPY1", event_id="EVT1", student_id="22CSE30001", status="confirmed", checkin_code="C0DE1"
    )

    class DeepCopied(RegistrationOutputSerializer):
        def get_fields(self):
            return copy.deepcopy(self._declared_fields)

    assert RegistrationOutputSerializer(registration).data == DeepCopied(registration).data
