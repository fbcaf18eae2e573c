import re

from django import forms
from django.conf import settings

from events import hooks
from events.models import EventQuestion
from events.services import CANCELLATION_REASON_MAX, EVENT_FIELDS
from eventsite.forms import reason_field
from eventsite.images import ACCEPTED_CONTENT_TYPES

STATUS_CHOICES = [("open", "Open for registration"), ("upcoming", "Upcoming"), ("past", "Past")]


class EventSearchForm(forms.Form):
    q = forms.CharField(label="Search events", required=False, max_length=100)
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)
    club = forms.ChoiceField(label="Club", required=False)
    department = forms.ChoiceField(label="Department", required=False)

    def __init__(self, *args, clubs=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["club"].choices = [("", "Any club"), *clubs]
        self.fields["department"].choices = [("", "Any department"), *departments]

    def filters(self) -> dict[str, str]:
        """The filters that are valid (an unknown club is ignored, not an error), empty ones left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class CheckinForm(forms.Form):
    code = forms.CharField(
        label="Check-in code or enrollment number",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    session = forms.ChoiceField(label="Session")

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(session.code, session.title or session.code) for session in sessions]


class LocalDateTimeInput(forms.DateTimeInput):
    """The phone's own date and time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _when(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, help_text=help_text, widget=LocalDateTimeInput())


class EventForm(forms.Form):
    """The event as an organizer describes it; the services judge it."""

    title = forms.CharField(label="Title", max_length=200)
    event_id = forms.SlugField(
        label="Web address",
        max_length=64,
        required=False,
        help_text="Letters, digits and dashes. Leave it empty to use one made from the title.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false", "data-slug-from": "id_title"}),
    )
    description = forms.CharField(
        label="Description", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    venue = forms.CharField(label="Venue", required=False, max_length=200)
    starts_at = _when("Starts")
    ends_at = _when("Ends")
    registration_opens_at = _when("Registration opens", required=False, help_text="Empty: as soon as it is published.")
    registration_closes_at = _when("Registration closes", required=False, help_text="Empty: when the event starts.")
    capacity = forms.IntegerField(
        label="Seats", required=False, min_value=0, max_value=1_000_000, help_text="Empty: no limit."
    )
    waitlist_enabled = forms.BooleanField(label="Keep a waitlist when the seats are taken", required=False)
    registration_mode = forms.ChoiceField(
        label="Students register",
        choices=[("individual", "One by one"), ("team", "As teams")],
        initial="individual",
        widget=forms.RadioSelect,
    )
    team_size_min = forms.IntegerField(
        label="Smallest team", min_value=1, max_value=100, initial=1, required=False, help_text="Team events only."
    )
    team_size_max = forms.IntegerField(
        label="Largest team", min_value=1, max_value=100, initial=1, required=False, help_text="Team events only."
    )
    eligible_departments = forms.CharField(
        label="Only these departments",
        required=False,
        max_length=500,
        help_text="Department codes separated by commas, such as CSE, ECE. Empty: every department.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    eligible_years = forms.TypedMultipleChoiceField(
        label="Only these years of study",
        required=False,
        coerce=int,
        choices=[(year, f"Year {year}") for year in range(1, 7)],
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every year.",
    )
    access_code_required = forms.BooleanField(
        label="By invitation: students need an access code (make the codes on the event's Access codes page)",
        required=False,
    )
    approval_required = forms.BooleanField(label="Approve each registration before it takes a seat", required=False)
    contact_email = forms.EmailField(
        label="Contact email",
        required=False,
        help_text="Shown on the event's page for students' questions. Empty: the club's address.",
    )

    @classmethod
    def event_field_names(cls) -> list[str]:
        """The form's fields that are the event's own, as the services take them (``EVENT_FIELDS``)."""
        return [name for name in cls.base_fields if name in EVENT_FIELDS]

    @classmethod
    def initial_for(cls, event) -> dict:
        """The form's initial values from an event (departments as the text an organizer types)."""
        initial = {name: getattr(event, name) for name in cls.event_field_names()}
        initial["eligible_departments"] = ", ".join(event.eligible_departments)
        return initial

    def clean_eligible_departments(self) -> list[str]:
        """Split what was typed; the services check each code."""
        return [part for part in re.split(r"[\s,;]+", self.cleaned_data["eligible_departments"]) if part]

    def __init__(self, *args, clubs=None, allow_no_club: bool = False, event=None, **kwargs):
        """``clubs``: the clubs the event may belong to when creating it; None when editing ``event``."""
        super().__init__(*args, **kwargs)
        if clubs is None:
            del self.fields["event_id"]
            if event is not None:
                self._certificate_template_field(event)
            return
        choices = [(club.pk, club.name) for club in clubs]
        if allow_no_club:
            choices.insert(0, ("", "No club"))
        self.fields["club"] = forms.ChoiceField(
            label="Club", choices=choices, required=not allow_no_club, help_text="Its owners and organizers run it."
        )
        self.order_fields(["club", "title", "event_id"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("registration_mode") == "individual":
            cleaned["team_size_min"] = cleaned["team_size_max"] = 1
        else:
            cleaned["team_size_min"] = cleaned.get("team_size_min") or 1
            cleaned["team_size_max"] = cleaned.get("team_size_max") or cleaned["team_size_min"]
        return cleaned

    def _certificate_template_field(self, event) -> None:
        choices = [("", "Plain layout (no template)")] + [
            (str(template_id), label)
            for choices_of in hooks.CERTIFICATE_TEMPLATE_CHOICES
            for template_id, label in choices_of(event=event)
        ]
        self.fields["certificate_template"] = forms.TypedChoiceField(
            label="Certificate template",
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            help_text="How this event's certificates look. Club owners design templates under Organize.",
        )

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.event_field_names()}
        if "certificate_template" in self.fields:
            fields["certificate_template"] = self.cleaned_data["certificate_template"]
        return fields


class SessionForm(forms.Form):
    title = forms.CharField(label="Day or slot", max_length=200, required=False)
    starts_at = _when("Starts", required=False)
    code = forms.SlugField(widget=forms.HiddenInput, required=False)


SessionFormSet = forms.formset_factory(SessionForm, extra=2, max_num=50, validate_max=True)


class EventCancelForm(forms.Form):
    reason = reason_field("Why (sent to everyone registered)", max_length=CANCELLATION_REASON_MAX)


class PosterForm(forms.Form):
    poster = forms.FileField(
        label="Poster image",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES}),
    )
    alt_text = forms.CharField(
        label="What the poster shows",
        required=False,
        max_length=300,
        help_text="Read aloud to students who cannot see it. Empty: “Poster of” and the title.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        megabytes = settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        self.fields[
            "poster"
        ].help_text = (
            f"JPEG, PNG or WebP, up to {megabytes} MB. It is re-encoded: camera details and location are removed."
        )


class QuestionForm(forms.Form):
    """One registration question as an organizer writes it; an empty row is no question."""

    label = forms.CharField(label="Question", max_length=300, required=False)
    kind = forms.ChoiceField(label="Answer", choices=EventQuestion.Kind.choices, initial=EventQuestion.Kind.TEXT)
    choices = forms.CharField(
        label="Options",
        required=False,
        max_length=12_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a choice: one option per line.",
    )
    required = forms.BooleanField(label="An answer is required", required=False)
    code = forms.SlugField(widget=forms.HiddenInput, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("label") or data.get("code") or data.get("choices"))

    def option_list(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.cleaned_data.get("choices", "").splitlines() if line.strip())


class BaseQuestionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].widget.attrs.update({"min": 1, "inputmode": "numeric"})
        form.fields["DELETE"].label = "Remove this question"


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=BaseQuestionFormSet, extra=2, max_num=50, validate_max=True, can_order=True, can_delete=True
)
