from urllib.parse import urlencode

from django import forms

from analytics.college import Period, period_default


class AnalyticsPeriodForm(forms.Form):
    """The period of the college analytics: event start dates, both ends included; empty means the last year."""

    MAX_DAYS = 5 * 366
    FIRST_YEAR, LAST_YEAR = 2000, 2999

    start = forms.DateField(
        label="From", required=False, input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )

    def add_prefix(self, field_name: str) -> str:
        """The query string says ?from=&to=; "from" cannot be a Python name."""
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        default = period_default()
        start = cleaned.get("start") or (
            cleaned["end"] - (default.end - default.start) if cleaned.get("end") else default.start
        )
        end = cleaned.get("end") or (max(default.end, start) if cleaned.get("start") else default.end)
        if start.year < self.FIRST_YEAR or end.year > self.LAST_YEAR:
            raise forms.ValidationError(
                f"Choose dates between {self.FIRST_YEAR} and {self.LAST_YEAR}.", code="out_of_range"
            )
        if start > end:
            raise forms.ValidationError("The period must end on or after the day it starts.", code="order")
        if (end - start).days > self.MAX_DAYS:
            raise forms.ValidationError("Choose a period of at most five years.", code="too_long")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> Period:
        return Period(start=self.cleaned_data["start"], end=self.cleaned_data["end"])

    def query_string(self) -> str:
        return urlencode({"from": self.cleaned_data["start"].isoformat(), "to": self.cleaned_data["end"].isoformat()})
