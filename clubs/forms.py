from django import forms

from clubs.models import ClubMembership


class ClubMemberForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="A student's username is their enrollment number.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=ClubMembership.Role.choices,
        initial=ClubMembership.Role.ORGANIZER,
        help_text="Owners manage the members; organizers run the club's events.",
    )
