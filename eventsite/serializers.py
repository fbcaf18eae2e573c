"""Serializer building blocks every app's API shares."""

import copy
from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty


def _field_copy(field: serializers.Field) -> serializers.Field:
    """A declared field's own copy for one serializer: a shallow copy, unless it holds other fields."""
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    # What copy.copy does for a plain object (fields define no __copy__ and no slots), without its
    # generic protocol: a new instance of the class with a copy of the attributes.
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


# DRF's serializer, with each instance's fields copied for a fraction of the cost. DRF deep-copies
# every declared field for each serializer it builds, which re-runs the field's constructor on deep
# copies of its arguments (a status field copies its whole list of choices): on the registration's
# path that was most of what its two serializers cost. A field that holds no other field keeps
# nothing an instance changes (binding sets the copy's own name, source and parent; its validators,
# choices and messages are only read), so a shallow copy serves as well. Fields holding others
# (lists, nested serializers) are deep-copied as DRF does. Every serializer of the API derives from
# this one; tests/api/test_serializer_fields.py compares each one's fields with DRF's deep copies.
# (No docstring: the schema would show it as the description of every serializer without one.)
class Serializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: _field_copy(field) for name, field in self._declared_fields.items()}


def validated(serializer_class: type[serializers.Serializer], data: Any, *, partial: bool = False) -> dict[str, Any]:
    """What an API view was given, through its input serializer: the validated data, or the
    VALIDATION_ERROR its errors make."""
    given = serializer_class(data=data, partial=partial)
    given.is_valid(raise_exception=True)
    return given.validated_data


class NestedInputSerializer(Serializer):
    """An object inside a request body, validated whole even when its parent is PATCHed.

    DRF carries a PATCH's partial validation down into nested objects, which would let a
    question without its label, a rule without its kind or a signatory without a name through
    to the services.
    """

    def validate(self, data: dict) -> dict:
        missing = {}
        for name, field in self.fields.items():
            if name in data or field.read_only:
                continue
            if field.required:
                missing[name] = ["This field is required."]
            elif field.default is not empty:
                data[name] = field.default() if callable(field.default) else field.default
        if missing:
            raise serializers.ValidationError(missing)
        return data
