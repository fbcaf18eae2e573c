from django.urls import path

from certificates import views

urlpatterns = [
    path("verify/", views.certificate_verify_form, name="certificate-verify-form"),
    path("verify/<str:certificate_id>", views.certificate_verify, name="certificate-verify"),
    path("<str:certificate_id>.pdf", views.certificate_pdf_download, name="certificate-pdf"),
]
