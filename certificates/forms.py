import re

from django import forms

from certificates.models import TITLE_MAX_LENGTH, CertificateKind


class VerifyForm(forms.Form):
    certificate_id = forms.CharField(
        label="Certificate ID",
        max_length=40,
        help_text="Printed at the bottom of the certificate, for example C3F7K9QX2M8TZ4R1B.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_certificate_id(self) -> str:
        typed = "".join(self.cleaned_data["certificate_id"].split())
        if not re.fullmatch(r"[A-Za-z0-9_-]+", typed):
            raise forms.ValidationError("A certificate ID has only letters, digits, “-” and “_”.")
        return typed


class CertificateIssueForm(forms.Form):
    enrollment_no = forms.CharField(label="Enrollment number", max_length=20)
    kind = forms.ChoiceField(choices=CertificateKind.choices, initial=CertificateKind.PARTICIPATION, required=False)
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH, required=False, help_text="Such as \u201cWinner\u201d; needed for merit."
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or CertificateKind.PARTICIPATION


class CertificateBulkIssueForm(forms.Form):
    """One kind (and title) for a list of students: winners, volunteers, the organizing team."""

    MAX_STUDENTS = 5000

    enrollment_nos = forms.CharField(
        label="Enrollment numbers",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_STUDENTS * 21,
        help_text="One per line, or separated by commas or spaces.",
    )
    kind = forms.ChoiceField(choices=CertificateKind.choices, initial=CertificateKind.MERIT)
    title = forms.CharField(max_length=TITLE_MAX_LENGTH, required=False, help_text="Needed for merit.")

    def clean_enrollment_nos(self) -> list[str]:
        found = list(dict.fromkeys(self.cleaned_data["enrollment_nos"].replace(",", " ").split()))
        if len(found) > self.MAX_STUDENTS:
            raise forms.ValidationError(f"At most {self.MAX_STUDENTS} students at a time.")
        return found
