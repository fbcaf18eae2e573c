from django import forms

STATUS_CHOICES = [("open", "Open for registration"), ("upcoming", "Upcoming"), ("past", "Past")]


class EventSearchForm(forms.Form):
    q = forms.CharField(label="Search events", required=False, max_length=100)
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)


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


class RosterSearchForm(forms.Form):
    q = forms.CharField(label="Search by enrollment number, name or team", required=False, max_length=100)


class CertificateIssueForm(forms.Form):
    enrollment_no = forms.CharField(label="Enrollment number", max_length=20)
