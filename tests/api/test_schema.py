import re
from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

API_MD_OPERATIONS = {
    ("post", "/api/v2/auth/token/"),
    ("post", "/api/v2/auth/signup/"),
    ("get", "/api/v2/events/"),
    ("post", "/api/v2/events/"),
    ("get", "/api/v2/events/{event_id}/"),
    ("patch", "/api/v2/events/{event_id}/"),
    ("post", "/api/v2/register/individual/{event_id}"),
    ("post", "/api/v2/register/team/{event_id}"),
    ("post", "/api/v2/register/cancel/{event_id}"),
    ("post", "/api/v2/attendance/mark/{event_id}"),
    ("post", "/api/v2/feedback/submit/{event_id}"),
    ("post", "/api/v2/certificate/issue/{event_id}"),
    ("post", "/api/v2/certificate/revoke/{event_id}"),
    ("get", "/api/v2/certificate-templates/"),
    ("post", "/api/v2/certificate-templates/"),
    ("get", "/api/v2/certificate-templates/{template_id}/"),
    ("patch", "/api/v2/certificate-templates/{template_id}/"),
    ("get", "/api/v2/status/{event_id}"),
    ("get", "/api/v2/lookup/enrollment/{enrollment_no}/event/{event_id}"),
    ("get", "/api/v2/analytics/{event_id}"),
    ("get", "/api/v2/students/{enrollment_no}/history"),
    ("get", "/api/v2/certificates/{certificate_id}/verify"),
    ("get", "/api/v2/students/{enrollment_no}/"),
    ("get", "/api/v2/students/"),
    ("get", "/api/v1/events/{event_id}"),
    ("post", "/api/v2/events/{event_id}/publish"),
    ("post", "/api/v2/events/{event_id}/approve"),
    ("post", "/api/v2/events/{event_id}/cancel"),
    ("get", "/api/v2/clubs/"),
    ("post", "/api/v2/clubs/"),
    ("get", "/api/v2/clubs/{club_id}/"),
    ("patch", "/api/v2/clubs/{club_id}/"),
    ("post", "/api/v2/clubs/{club_id}/members"),
    ("delete", "/api/v2/clubs/{club_id}/members/{username}"),
    ("get", "/api/v2/me/email-preferences"),
    ("get", "/api/v2/events/{event_id}/announcements"),
    ("post", "/api/v2/events/{event_id}/announcements"),
    ("post", "/api/v2/me/email-preferences"),
    ("get", "/api/v2/events/{event_id}/scanner-links"),
    ("post", "/api/v2/events/{event_id}/scanner-links"),
    ("delete", "/api/v2/events/{event_id}/scanner-links/{link_id}"),
    ("get", "/api/v2/events/{event_id}/checkin-roster"),
    ("get", "/api/v2/events/{event_id}/roster/"),
    ("post", "/api/v2/attendance/batch/{event_id}"),
    ("get", "/api/v2/teams/{team_id}"),
    ("patch", "/api/v2/teams/{team_id}"),
    ("post", "/api/v2/teams/{team_id}/accept"),
    ("post", "/api/v2/teams/{team_id}/decline"),
    ("post", "/api/v2/teams/{team_id}/invite"),
    ("post", "/api/v2/teams/{team_id}/leave"),
    ("post", "/api/v2/teams/{team_id}/remove"),
    ("post", "/api/v2/teams/{team_id}/transfer"),
    ("post", "/api/v2/teams/{team_id}/cancel"),
    ("post", "/api/v2/teams/join/{event_id}"),
    ("post", "/api/v2/events/{event_id}/poster"),
    ("delete", "/api/v2/events/{event_id}/poster"),
    ("post", "/api/v2/registrations/{registration_id}/approve"),
    ("post", "/api/v2/registrations/{registration_id}/reject"),
    ("get", "/api/v2/events/{event_id}/access-codes"),
    ("post", "/api/v2/events/{event_id}/access-codes"),
}
# Operations that take files: multipart/form-data instead of JSON.
MULTIPART_OPERATIONS = {("post", "/api/v2/events/{event_id}/poster")}
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_schema_describes_exactly_the_operations_of_api_md(schema):
    assert schema["openapi"].startswith("3.")
    assert {(method, path) for method, path, _ in operations(schema)} == API_MD_OPERATIONS


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        expected = {"401", "503"} | ({"400", "413", "415"} if method in ("post", "patch") else set())
        expected |= {"404"} if "{" in path else set()
        assert expected <= set(responses), (method, path)
        for status, response in responses.items():
            if not status.startswith("2"):
                assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_REF, (method, path, status)


def test_every_operation_documents_its_success_body(schema):
    for method, path, operation in operations(schema):
        successes = [status for status in operation["responses"] if status.startswith("2")]
        assert successes, (method, path)
        for status in successes:
            if status == "204":
                assert "content" not in operation["responses"][status], (method, path)
                continue
            assert operation["responses"][status]["content"]["application/json"]["schema"], (method, path, status)
        if method in ("post", "patch"):
            media = "multipart/form-data" if (method, path) in MULTIPART_OPERATIONS else "application/json"
            assert operation["requestBody"]["content"][media]["schema"], (method, path)


def test_the_auth_endpoints_document_throttling(schema):
    assert "429" in schema["paths"]["/api/v2/auth/token/"]["post"]["responses"]
    assert "429" in schema["paths"]["/api/v2/auth/signup/"]["post"]["responses"]


def test_the_schema_is_valid_openapi_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO(), stderr=StringIO())


def test_swagger_ui_is_served_with_local_assets_only(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', page)
    assert assets
    assert not [asset for asset in assets if "//" in asset]
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "/api/schema/" in page


def test_the_certificate_templates_take_multipart_and_document_the_image_errors(schema):
    for method, path in (
        ("post", "/api/v2/certificate-templates/"),
        ("patch", "/api/v2/certificate-templates/{template_id}/"),
    ):
        operation = schema["paths"][path][method]
        assert "multipart/form-data" in operation["requestBody"]["content"], (method, path)
        assert "IMAGE_INVALID" in operation["responses"]["400"]["description"], (method, path)
        assert "IMAGE_TOO_LARGE" in operation["responses"]["413"]["description"], (method, path)
