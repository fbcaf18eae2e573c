"""Showing a domain error on a page: next to the field it is about, else above the form."""

import re

from django import forms

from eventsite.errors import DomainError, ValidationFailed

_INDEXED_FIELD = re.compile(r"^(?P<name>[a-z_]+)\[\d+\]$")


def _form_field(form: forms.Form, key: str, aliases: dict[str, str]) -> str | None:
    match = _INDEXED_FIELD.match(key)
    base = match["name"] if match else key
    name = aliases.get(key) or aliases.get(base) or base
    return name if name in form.fields else None


def form_add_domain_error(form: forms.Form, error: DomainError, *, field_aliases: dict[str, str] | None = None) -> None:
    """Attach ``error`` to a validated ``form`` in plain words.

    A validation error's details are messages per field (``{"email": ["..."]}``,
    ``{"members[2]": ["..."]}``) and go next to those fields. Any other error's message
    goes next to the first field its details name (``{"email": [value]}``), else above
    the form.
    """
    aliases = field_aliases or {}
    if isinstance(error, ValidationFailed):
        placed = False
        for key, messages in error.details.items():
            name = _form_field(form, key, aliases)
            if name and isinstance(messages, list):
                for message in messages:
                    form.add_error(name, str(message))
                placed = True
        if not placed:
            form.add_error(None, error.message)
        return
    name = next((found for key in error.details if (found := _form_field(form, key, aliases))), None)
    form.add_error(name, error.message)
