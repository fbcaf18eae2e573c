from django import forms

from comms.models import Announcement


class EmailPreferencesForm(forms.Form):
    reminders = forms.BooleanField(
        required=False,
        label="Reminders",
        help_text="A day and an hour before each event you hold a seat at, with your check-in QR code.",
    )
    announcements = forms.BooleanField(
        required=False,
        label="Announcements",
        help_text="What organizers write to their registrants: a room change, what to bring.",
    )


class AnnouncementForm(forms.Form):
    audience = forms.ChoiceField(choices=Announcement.Audience.choices, label="To")
    subject = forms.CharField(max_length=Announcement.SUBJECT_MAX_LENGTH, strip=False, help_text="One line.")
    body = forms.CharField(
        max_length=Announcement.BODY_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Message",
        help_text="Plain text; links become clickable. Students see it by email and on the event page.",
    )
