"""Form plumbing for pages and admin alike.

Showing a domain error on a form: next to the field it is about, else above the form. The optional
reason an organizer gives with an action.
"""

import re

from django import forms

from eventsite.errors import DomainError, ValidationFailed

_INDEXED_FIELD = re.compile(r"^(?P<name>[a-z_]+)\[\d+\]$")


def _form_field(form: forms.BaseForm, key: str, aliases: dict[str, str]) -> str | None:
    match = _INDEXED_FIELD.match(key)
    base = match["name"] if match else key
    name = aliases.get(key) or aliases.get(base) or base
    return name if name in form.fields else None


def _field_messages(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(message, str) for message in value):
        return value
    return None


def reason_field(label: str, *, max_length: int) -> forms.CharField:
    """An optional reason given with an action (cancelling an event, rejecting a registration)."""
    return forms.CharField(label=label, required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": 3}))


def domain_error_text(error: DomainError) -> str:
    """The error's message with its code, as staff see it in the admin."""
    return f"{error.message} ({error.code})"


def form_add_domain_error(
    form: forms.BaseForm,
    error: DomainError,
    *,
    field_aliases: dict[str, str] | None = None,
    with_code: bool = False,
) -> None:
    """Attach ``error`` to a validated ``form`` in plain words.

    A validation error's details are messages per field (``{"email": ["..."]}``,
    ``{"members[2]": ["..."]}``): each goes next to its field when the form has it; the
    others go above the form, after the error's message, named by their key. Any other
    error's details are data: its message goes next to the first field they name
    (``{"email": value}``), else above the form. ``with_code`` (the admin) adds the
    error's code to the message.
    """
    aliases = field_aliases or {}
    text = domain_error_text(error) if with_code else error.message
    if not isinstance(error, ValidationFailed):
        name = next((found for key in error.details if (found := _form_field(form, key, aliases))), None)
        form.add_error(name, text)
        return
    placed = False
    unplaced: list[str] = []
    for key, value in error.details.items():
        messages = _field_messages(value)
        if messages is None:
            continue
        name = _form_field(form, key, aliases)
        if name:
            for message in messages:
                form.add_error(name, message)
            placed = True
        else:
            unplaced.extend(f"{key}: {message}" for message in messages)
    if unplaced or not placed:
        form.add_error(None, " ".join([text, *unplaced]))
