from django.urls import path

from registrations import record_views

urlpatterns = [
    path("me/record.pdf", record_views.my_record_pdf, name="my-record-pdf"),
    path("students/<str:enrollment_no>/record.pdf", record_views.student_record_pdf, name="student-record-pdf"),
]
