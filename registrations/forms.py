import re

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from events.models import EventQuestion
from eventsite.forms import reason_field
from eventsite.logins import locked_message, login_locked
from eventsite.text import multiline_text, single_line_text
from registrations.models import Feedback
from registrations.services import (
    ACCESS_CODE_USES_MAX,
    ACCESS_CODES_PER_REQUEST_MAX,
    ANSWER_TEXT_MAX_LENGTH,
    REJECTION_REASON_MAX,
)

# The longest access code the registration forms take (a page cuts what is typed to it).
ACCESS_CODE_INPUT_MAX = 32

RATING_CHOICES = [(5, "5 — excellent"), (4, "4 — good"), (3, "3 — fair"), (2, "2 — poor"), (1, "1 — very poor")]


class SignupForm(forms.Form):
    enrollment_no = forms.CharField(
        label="Enrollment number",
        max_length=20,
        help_text="As on your college ID card, for example 22CSE30001. It is also your username.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        validators=[single_line_text],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    department = forms.CharField(label="Department", max_length=20, required=False, validators=[single_line_text])
    year = forms.TypedChoiceField(
        label="Year of study",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—")] + [(year, str(year)) for year in range(1, 7)],
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return cleaned


class SignupVerifyForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="The password you chose when you signed up.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignupResendForm(forms.Form):
    enrollment_no = forms.CharField(
        label="Enrollment number",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )


class TeamRegistrationForm(forms.Form):
    team_name = forms.CharField(label="Team name", max_length=100, validators=[single_line_text])
    members = forms.CharField(
        label="Invite by enrollment number (optional)",
        help_text="Separated by commas, spaces or new lines. Each gets an email and joins when they accept; "
        "you can also share the team's join code. You are the leader.",
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "characters"}),
        max_length=2000,
        required=False,
    )
    access_code = forms.CharField(
        label="Access code",
        max_length=ACCESS_CODE_INPUT_MAX,
        required=False,
        help_text="This event is by invitation: the code the organizers gave you.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, access_code: bool = False, **kwargs):
        """``access_code``: the event is invite-only, so the form asks for the code."""
        super().__init__(*args, **kwargs)
        if not access_code:
            del self.fields["access_code"]

    @staticmethod
    def split_members(text: str) -> list[str]:
        return [part for part in re.split(r"[\s,;]+", text or "") if part]

    def clean_members(self) -> list[str]:
        return self.split_members(self.cleaned_data["members"])


class TeamJoinForm(forms.Form):
    join_code = forms.CharField(
        label="Join code",
        max_length=32,
        help_text="The code a member of the team gave you.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class AccessCodesForm(forms.Form):
    count = forms.IntegerField(label="How many codes", min_value=1, max_value=ACCESS_CODES_PER_REQUEST_MAX, initial=10)
    max_uses = forms.IntegerField(
        label="Registrations each code allows",
        min_value=1,
        max_value=ACCESS_CODE_USES_MAX,
        initial=1,
        help_text="1: one code per person. More: one code for a class or a group.",
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(label="Rating", coerce=int, choices=RATING_CHOICES, widget=forms.RadioSelect)
    comments = forms.CharField(
        label="Comments (optional)",
        required=False,
        max_length=Feedback.COMMENTS_MAX_LENGTH,
        validators=[multiline_text],
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class LoginForm(AuthenticationForm):
    """Django's login form; a username the lock-out refuses gets a sentence saying so."""

    def get_invalid_login_error(self) -> ValidationError:
        if login_locked(self.request):
            return ValidationError(locked_message(), code="locked")
        return super().get_invalid_login_error()


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's login form (staff only), under the same lock-out."""


class RosterFilterForm(forms.Form):
    """The roster's search and filters; unknown values are ignored rather than refused."""

    q = forms.CharField(label="Search by enrollment number, name or team", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False)
    session = forms.ChoiceField(label="Checked in to", required=False)

    def __init__(self, *args, sessions=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Current (not cancelled)"), *statuses]
        self.fields["session"].choices = [("", "Any or none"), *((s.code, s.title or s.code) for s in sessions)]


class RosterRejectForm(forms.Form):
    reason = reason_field("Why (optional, kept in the event's audit trail)", max_length=REJECTION_REASON_MAX)


class RegistrationAnswersForm(forms.Form):
    """One field per question the event asks, named by its code (``answers-<code>`` in the page).

    The form only collects: whether an answer is required or well formed is decided by
    ``registration_answers_clean``, whose errors (keyed ``answers.<code>``) come back next to
    their field through ``field_aliases``.
    """

    YES_NO = [("yes", "Yes"), ("no", "No")]

    def __init__(self, *args, questions=(), **kwargs):
        kwargs.setdefault("prefix", "answers")
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.code] = self._field(question)

    def _field(self, question: EventQuestion) -> forms.Field:
        label = question.label + ("" if question.required else " (optional)")
        options = [(choice, choice) for choice in question.choices]
        kind = question.kind
        if kind == EventQuestion.Kind.CHOICE:
            return forms.ChoiceField(label=label, required=False, choices=options, widget=forms.RadioSelect)
        if kind == EventQuestion.Kind.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                label=label, required=False, choices=options, widget=forms.CheckboxSelectMultiple
            )
        if kind == EventQuestion.Kind.YES_NO:
            return forms.ChoiceField(label=label, required=False, choices=self.YES_NO, widget=forms.RadioSelect)
        if kind == EventQuestion.Kind.NUMBER:
            return forms.CharField(
                label=label, required=False, max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"})
            )
        return forms.CharField(
            label=label, required=False, max_length=ANSWER_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
        )

    @property
    def field_aliases(self) -> dict[str, str]:
        return {f"answers.{question.code}": question.code for question in self.questions}

    def answers(self) -> dict[str, object]:
        """``{code: value}`` for the service: what was typed or picked, blanks included."""
        return {question.code: self.cleaned_data.get(question.code) for question in self.questions}
