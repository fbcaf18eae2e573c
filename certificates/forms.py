import re

from django import forms


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
