from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from certificates.record_pdf import record_pdf, record_seal
from certificates.selectors import student_record
from registrations.models import Student


def _record_response(student: Student) -> HttpResponse:
    lines = student_record(student)
    content = record_pdf(student, lines, verify_url=record_seal(student, lines))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="record-{student.enrollment_no}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_record_pdf(request: HttpRequest) -> HttpResponse:
    student = Student.objects.filter(user=request.user).first()
    if student is None:
        raise Http404("Only students have a co-curricular record.")
    return _record_response(student)


@login_required
def student_record_pdf(request: HttpRequest, enrollment_no: str) -> HttpResponse:
    """Staff open any student's record (e.g. for the placement office); students use their own URL."""
    if not request.user.is_staff:
        raise PermissionDenied
    student = Student.objects.filter(pk=enrollment_no.strip().upper()).first()
    if student is None:
        raise Http404("No such student.")
    return _record_response(student)
