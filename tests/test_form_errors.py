"""The one helper that puts a domain error on a form, for the pages and the admin alike."""

from django import forms

from eventsite.errors import AlreadyRegistered, EventFull, ValidationFailed
from eventsite.forms import form_add_domain_error


class StudentForm(forms.Form):
    email = forms.CharField(required=False)
    members = forms.CharField(required=False)


def _validated_form() -> StudentForm:
    form = StudentForm(data={"email": "a@example.org", "members": ""})
    assert form.is_valid()
    return form


def test_validation_messages_go_next_to_their_fields():
    form = _validated_form()

    form_add_domain_error(form, ValidationFailed(details={"email": ["Taken."]}))

    assert form.errors == {"email": ["Taken."]}


def test_an_indexed_key_goes_to_its_field_and_an_alias_renames_one():
    form = _validated_form()

    form_add_domain_error(
        form,
        ValidationFailed(details={"members[2]": ["Not a student."], "leader": ["Leads elsewhere."]}),
        field_aliases={"leader": "members"},
    )

    assert form.errors == {"members": ["Not a student.", "Leads elsewhere."]}


def test_validation_messages_for_fields_the_form_lacks_go_above_it_named_by_their_key():
    form = _validated_form()
    error = ValidationFailed(details={"email": ["Taken."], "answers": ["Question 7 needs an answer."]})

    form_add_domain_error(form, error)

    assert form.errors["email"] == ["Taken."]
    assert form.non_field_errors() == [f"{error.message} answers: Question 7 needs an answer."]


def test_a_validation_error_without_field_messages_goes_above_the_form():
    form = _validated_form()
    error = ValidationFailed("Nothing to change.")

    form_add_domain_error(form, error)

    assert form.errors == {"__all__": ["Nothing to change."]}


def test_another_error_goes_next_to_the_first_field_its_details_name():
    form = _validated_form()

    form_add_domain_error(form, AlreadyRegistered("Already registered.", details={"event": 3, "email": "a@x"}))

    assert form.errors == {"email": ["Already registered."]}


def test_another_error_naming_no_field_goes_above_the_form():
    form = _validated_form()

    form_add_domain_error(form, EventFull("The event is full.", details={"capacity": 1}))

    assert form.non_field_errors() == ["The event is full."]


def test_with_code_the_message_carries_the_error_code():
    form = _validated_form()

    form_add_domain_error(form, EventFull("The event is full."), with_code=True)

    assert form.non_field_errors() == ["The event is full. (EVENT_FULL)"]
