"""What every model admin shares: writes through the services, domain errors as form errors, CSV export.

The admin never saves a row itself where a service owns the write: each model admin
overrides ``save_model`` (and ``save_related``) to call the service. A domain error
raised there rolls the admin's transaction back; the form is then validated again
with the error attached, so the page shows it next to the fields instead of a 500.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.html import format_html

from eventsite.errors import DomainError
from eventsite.forms import domain_error_text, form_add_domain_error
from eventsite.spreadsheets import CsvLine, spreadsheet_safe

_SERVICE_ERROR = "_admin_service_error"
MAP_PREVIEW_ENTRIES = 100


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class ViewOnlyRowsMixin:
    """Rows the services own: added through a service, never edited or deleted in place."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyRowsMixin(ViewOnlyRowsMixin):
    """Rows only the services write (an audit trail, the outbox): nobody adds, edits or deletes them here."""

    def has_add_permission(self, request):
        return False


class ServiceModelAdmin(admin.ModelAdmin):
    """A model admin whose writes are service calls.

    ``add_form``/``add_fieldsets`` describe the add page when it asks for other
    fields than the change page (as Django's UserAdmin does).
    """

    add_form = None
    add_fieldsets = None
    save_as = False

    def get_fieldsets(self, request, obj=None):
        if obj is None and self.add_fieldsets is not None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and self.add_form is not None:
            kwargs.setdefault("form", self.add_form)
        form_class = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, _SERVICE_ERROR, None)
        if error is None:
            return form_class

        class FormWithServiceError(form_class):
            def clean(self):
                cleaned_data = super().clean()
                form_add_domain_error(self, error, with_code=True)
                return cleaned_data

        FormWithServiceError.__name__ = form_class.__name__
        return FormWithServiceError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            if request.method != "POST" or getattr(request, _SERVICE_ERROR, None) is not None:
                raise
            setattr(request, _SERVICE_ERROR, error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def run_service_per_row(
        self, request: HttpRequest, rows: Iterable[Model], call, *, noun: str, done: str
    ) -> tuple[int, int]:
        """Call ``call(row)`` for each row; a domain error is reported for its row and the others go on.

        ``noun`` and ``done`` make the summary: "2 certificates revoked."
        """
        succeeded = failed = 0
        for row in rows:
            try:
                call(row)
            except DomainError as error:
                failed += 1
                self.message_user(request, f"{row}: {domain_error_text(error)}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{counted(succeeded, noun)} {done}.", messages.SUCCESS)
        return succeeded, failed


# CSV export


def _csv_cell(value: Any) -> Any:
    return "" if value is None else spreadsheet_safe(value)


def _csv_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    fields = queryset.model._meta.concrete_fields
    yield [field.column if field.is_relation else field.name for field in fields]
    for row in queryset.values_list(*(field.attname for field in fields)).iterator(chunk_size=2000):
        yield [_csv_cell(value) for value in row]


@admin.action(description="Export selected rows as CSV", permissions=["view"])
def export_as_csv(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
    """Stream the selected rows, one column per stored field, without loading them all in memory."""
    writer = csv.writer(CsvLine())
    opts = queryset.model._meta
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(queryset.order_by(*opts.ordering or ["pk"]))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{opts.app_label}-{opts.model_name}.csv"'
    return response


# Read-only rendering of the enrollment-keyed maps


def map_preview(mapping) -> str:
    """A collapsible JSON view of one map, one key per line, capped for large events."""
    data = dict(mapping)
    shown = dict(list(data.items())[:MAP_PREVIEW_ENTRIES])
    summary = f"{len(data)} entr{'y' if len(data) == 1 else 'ies'}"
    if len(data) > len(shown):
        summary += f" (first {len(shown)} shown)"
    if not data:
        return summary
    lines = ",\n".join(
        f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in shown.items()
    )
    return format_html(
        '<details><summary>{}</summary><pre style="max-height:24em;overflow:auto">{{\n{}\n}}</pre></details>',
        summary,
        lines,
    )
