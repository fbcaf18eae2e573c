from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from analytics.roster_export import XLSX_CONTENT_TYPE, roster_xlsx
from events.selectors import event_get_organized


@login_required
def event_export_xlsx(request: HttpRequest, event_id: str) -> FileResponse:
    event = event_get_organized(event_id, request.user)
    response = FileResponse(
        roster_xlsx(event), as_attachment=True, filename=f"{event.pk}-export.xlsx", content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response
