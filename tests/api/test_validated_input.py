import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from eventsite.serializers import validated


class _NameInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    size = serializers.IntegerField(required=False)


def test_validated_returns_the_checked_data():
    assert validated(_NameInputSerializer, {"name": " Ada ", "size": "3"}) == {"name": "Ada", "size": 3}


def test_validated_raises_the_field_errors():
    with pytest.raises(ValidationError) as raised:
        validated(_NameInputSerializer, {"size": "many"})

    assert set(raised.value.detail) == {"name", "size"}


def test_validated_partial_lets_required_fields_be_left_out():
    assert validated(_NameInputSerializer, {"size": 2}, partial=True) == {"size": 2}
