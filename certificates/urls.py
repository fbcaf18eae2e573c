from django.urls import path

from certificates import views

urlpatterns = [
    path("verify/<str:certificate_id>", views.certificate_verify, name="certificate-verify"),
]
