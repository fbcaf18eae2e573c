"""Free text: one validator that refuses control characters, and one way to show stored text safely.

Control characters (C0, DEL, C1, and the Unicode line and paragraph separators) have no place in
a name or a title: they break email headers, calendar lines, CSV readers and terminals, and
PostgreSQL cannot store NUL at all. Long text (descriptions, comments) may keep its line breaks
and tabs. ``NoControlCharacters`` is the one validator: on model fields (the admin and model
forms), on serializer and form fields (the API and the pages), and in the services (imports and
every other caller). ``printable`` is for text already stored, perhaps before the validator
existed: whatever it holds, a header or a calendar line built from it cannot fail.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
_ANY_CONTROL = re.compile(f"[{_CONTROL}\t\n\r]")
_CONTROL_BUT_LINE_BREAKS = re.compile(f"[{_CONTROL}]")
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x85]")


@deconstructible
class NoControlCharacters:
    """Refuse control characters; with ``multiline``, line breaks and tabs are allowed."""

    code = "control_characters"

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: object) -> None:
        if not isinstance(value, str):
            return
        pattern = _CONTROL_BUT_LINE_BREAKS if self.multiline else _ANY_CONTROL
        found = pattern.search(value)
        if found is not None:
            where = "" if self.multiline else " or line breaks"
            raise ValidationError(
                f"Remove the control character U+{ord(found.group()):04X}: this text cannot hold control "
                f"characters{where}.",
                code=self.code,
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


single_line_text = NoControlCharacters()
multiline_text = NoControlCharacters(multiline=True)


def text_errors(values: dict[str, tuple[object, NoControlCharacters]]) -> dict[str, list[str]]:
    """``{field: (value, validator)}`` -> ``{field: [message]}`` for the values the validator refuses."""
    errors: dict[str, list[str]] = {}
    for name, (value, validator) in values.items():
        try:
            validator(value)
        except ValidationError as error:
            errors[name] = list(error.messages)
    return errors


def model_text_errors(instance) -> dict[str, list[str]]:
    """The control-character errors of a model instance's fields that carry the validator."""
    return text_errors(
        {
            field.name: (getattr(instance, field.attname), validator)
            for field in instance._meta.concrete_fields
            for validator in field.validators
            if isinstance(validator, NoControlCharacters)
        }
    )


def printable(value: str, *, multiline: bool = False) -> str:
    """Stored text made safe to write anywhere: control characters become spaces; in long text,
    line breaks become ``\\n`` and tabs stay."""
    if not value or _ANY_CONTROL.search(value) is None:
        return value or ""
    if multiline:
        return _CONTROL_BUT_LINE_BREAKS.sub(" ", _LINE_BREAK.sub("\n", value))
    return _ANY_CONTROL.sub(" ", value)
