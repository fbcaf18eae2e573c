from django.urls import path

from certificates import views

urlpatterns = [
    path("verify/", views.certificate_verify_form, name="certificate-verify-form"),
    path("verify/<str:certificate_id>", views.certificate_verify, name="certificate-verify"),
    path("<str:certificate_id>.pdf", views.certificate_pdf_download, name="certificate-pdf"),
    path("records/<str:snapshot_id>", views.record_verify, name="record-verify"),
    path("templates/", views.certificate_template_list, name="certificate-templates"),
    path("templates/new/", views.certificate_template_new, name="certificate-template-new"),
    path("templates/preview.pdf", views.certificate_template_preview_draft, name="certificate-template-preview-draft"),
    path("templates/<int:template_id>/", views.certificate_template_edit, name="certificate-template-edit"),
    path(
        "templates/<int:template_id>/preview.pdf",
        views.certificate_template_preview,
        name="certificate-template-preview",
    ),
]
