from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from certificates.selectors import certificate_get, certificate_public_view
from eventsite.errors import NotFound


def certificate_verify(request: HttpRequest, certificate_id: str) -> HttpResponse:
    try:
        view = certificate_public_view(certificate_get(certificate_id))
    except NotFound:
        return render(
            request, "certificates/verify.html", {"certificate_id": certificate_id, "found": False}, status=404
        )
    return render(request, "certificates/verify.html", {"certificate": view, "found": True})
