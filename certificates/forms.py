import re

from django import forms

from certificates.models import DEFAULT_BODY, SIGNATORIES_MAX, TITLE_MAX_LENGTH, CertificateKind
from certificates.services import Signatory


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


IMAGE_TYPES = "image/png,image/jpeg"


class TemplateForm(forms.Form):
    """A certificate template as its designer fills it in; the services judge it."""

    name = forms.CharField(label="Template name", max_length=100, help_text="For you: e.g. “Hackathon winners”.")
    institution = forms.CharField(label="Institution", max_length=200, help_text="Printed at the top.")
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG or JPEG. Empty: keep the current one.",
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )
    accent_color = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$",
        label="Accent colour",
        initial="#1f5f8b",
        error_messages={"invalid": "Give a hex colour such as #1f5f8b."},
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    body = forms.CharField(
        label="Wording",
        max_length=1000,
        initial=DEFAULT_BODY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Placeholders: {student_name}, {event_title}, {event_dates}, {title} (such as “Winner”).",
    )

    def __init__(self, *args, clubs=None, allow_college_wide: bool = False, **kwargs):
        """``clubs``: the clubs a new template may belong to; None when editing one."""
        super().__init__(*args, **kwargs)
        for position in range(1, SIGNATORIES_MAX + 1):
            self.fields[f"signatory_{position}_name"] = forms.CharField(
                label=f"Signatory {position}: name", max_length=100, required=False
            )
            self.fields[f"signatory_{position}_designation"] = forms.CharField(
                label=f"Signatory {position}: designation", max_length=100, required=False
            )
            self.fields[f"signature_{position}"] = forms.FileField(
                label=f"Signatory {position}: signature",
                required=False,
                help_text="PNG or JPEG; a transparent PNG looks best. Empty: keep the current one.",
                widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
            )
        if clubs is not None:
            choices = [(club.pk, club.name) for club in clubs]
            if allow_college_wide:
                choices.insert(0, ("", "College-wide (every event may use it)"))
            self.fields["club"] = forms.ChoiceField(
                label="For", choices=choices, required=not allow_college_wide, help_text="Who may use it."
            )
            self.order_fields(["club"])

    @staticmethod
    def initial_of(template) -> dict:
        initial = {name: getattr(template, name) for name in ("name", "institution", "accent_color", "body")}
        for position, signatory in enumerate(template.signatories, start=1):
            initial[f"signatory_{position}_name"] = signatory.get("name", "")
            initial[f"signatory_{position}_designation"] = signatory.get("designation", "")
        return initial

    def main_fields(self) -> list:
        """Every field but the signatories', in order."""
        return [self[name] for name in self.fields if not name.startswith(("signatory_", "signature_"))]

    def signatory_rows(self) -> list[tuple]:
        """The signatory fields in threes, for the page to lay out side by side."""
        return [
            (
                self[f"signatory_{position}_name"],
                self[f"signatory_{position}_designation"],
                self[f"signature_{position}"],
            )
            for position in range(1, SIGNATORIES_MAX + 1)
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        signatories = [
            Signatory(name=data[f"signatory_{position}_name"], designation=data[f"signatory_{position}_designation"])
            for position in range(1, SIGNATORIES_MAX + 1)
            if data[f"signatory_{position}_name"].strip() or data[f"signatory_{position}_designation"].strip()
        ]
        return {
            "name": data["name"],
            "institution": data["institution"],
            "accent_color": data["accent_color"],
            "body": data["body"],
            "signatories": signatories,
        }

    def uploads(self) -> dict:
        """``logo`` and ``signatures`` (position -> file) of the files chosen."""
        data = self.cleaned_data
        return {
            "logo": data.get("logo"),
            "signatures": {
                position: data[f"signature_{position}"]
                for position in range(1, SIGNATORIES_MAX + 1)
                if data.get(f"signature_{position}")
            },
        }


# Where the services' error details go on the form.
TEMPLATE_FIELD_ALIASES = {
    **{f"signatories.{n}.name": f"signatory_{n}_name" for n in range(1, SIGNATORIES_MAX + 1)},
    **{f"signatories.{n}": f"signatory_{n}_name" for n in range(1, SIGNATORIES_MAX + 1)},
    "signatories": "signatory_1_name",
}


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
