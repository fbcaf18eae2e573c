from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse

from events.models import Event
from events.selectors import event_user_is_organizer
from registrations.roster_export import XLSX_CONTENT_TYPE, roster_csv_lines, roster_xlsx


def _organized_event(request: HttpRequest, event_id: str) -> Event:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    if not event_user_is_organizer(event, request.user):
        raise PermissionDenied("Only this event's organizers can export its roster.")
    return event


@login_required
def event_export_csv(request: HttpRequest, event_id: str) -> StreamingHttpResponse:
    event = _organized_event(request, event_id)
    response = StreamingHttpResponse(roster_csv_lines(event), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.pk}-export.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def event_export_xlsx(request: HttpRequest, event_id: str) -> FileResponse:
    event = _organized_event(request, event_id)
    response = FileResponse(
        roster_xlsx(event), as_attachment=True, filename=f"{event.pk}-export.xlsx", content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response
