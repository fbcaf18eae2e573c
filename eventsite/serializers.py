"""Serializer building blocks every app's API shares."""

from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty


def validated(serializer_class: type[serializers.Serializer], data: Any, *, partial: bool = False) -> dict[str, Any]:
    """What an API view was given, through its input serializer: the validated data, or the
    VALIDATION_ERROR its errors make."""
    given = serializer_class(data=data, partial=partial)
    given.is_valid(raise_exception=True)
    return given.validated_data


class NestedInputSerializer(serializers.Serializer):
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
