from django import forms

from events.forms import LocalDateTimeInput
from registrations.models import ScannerLink


class ScannerLinkForm(forms.Form):
    label = forms.CharField(
        label="Who holds it",
        max_length=ScannerLink._meta.get_field("label").max_length,
        help_text="Such as “Gate 2” or the volunteer's name: it tells the links apart.",
    )
    expires_at = forms.DateTimeField(
        label="Works until",
        required=False,
        widget=LocalDateTimeInput(),
        help_text="Empty: the end of the day the event ends.",
    )
