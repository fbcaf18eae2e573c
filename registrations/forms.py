import hashlib
import re

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from eventsite.text import multiline_text, single_line_text
from registrations.models import Feedback

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
        label="Members' enrollment numbers",
        help_text="The other members, separated by commas, spaces or new lines. You are the leader.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_members(self) -> list[str]:
        return [part for part in re.split(r"[\s,;]+", self.cleaned_data["members"]) if part]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(label="Rating", coerce=int, choices=RATING_CHOICES, widget=forms.RadioSelect)
    comments = forms.CharField(
        label="Comments (optional)",
        required=False,
        max_length=Feedback.COMMENTS_MAX_LENGTH,
        validators=[multiline_text],
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing a username from an address after too many failed passwords.

    Failures are counted per (username, client address) in the cache for
    LOGIN_FAILURE_WINDOW seconds; at LOGIN_FAILURE_LIMIT the form refuses even the right
    password until the window ends, so guessing a password costs hours, not seconds.
    A successful login clears the count.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Try again in %(minutes)d minutes.",
    }

    def _failure_key(self) -> str:
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        digest = hashlib.sha256(f"{username}\0{address}".encode()).hexdigest()
        return f"login-failures:{digest}"

    @property
    def is_throttled(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, code="throttled")

    def clean(self):
        key = self._failure_key()
        window = settings.LOGIN_FAILURE_WINDOW
        if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": max(1, window // 60)}
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            cache.add(key, 0, timeout=window)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)
            raise
        cache.delete(key)
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's login form (staff only) with the same lock on repeated failures."""
