"""Certificate templates: who designs them, what they may say, the images they keep, the API and
the event's choice of one."""

import io
import json
import random
import struct
import zlib

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from PIL import Image
from rest_framework.test import APIClient

from certificates.images import MAX_STORED_BYTES, image_clean
from certificates.models import CertificateTemplate
from certificates.services import Signatory, certificate_template_create, certificate_template_update
from eventsite.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from eventsite.images import ImageInvalid, ImageTooLarge
from tests.factories import ClubFactory, EventFactory, StaffFactory, StudentUserFactory, UserFactory
from tests.images import gif, photo_with_gps, png_claiming_size, png_with_transparency

pytestmark = pytest.mark.django_db


def png(size=(120, 60), color=(200, 30, 30, 255), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, format="PNG", **save)
    return out.getvalue()


def noisy_jpeg(size=(900, 900)) -> bytes:
    """A photo-like image: random pixels do not compress, so it tests the size budget."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header declaring ``width`` x ``height`` with almost no data: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def club(owner):
    return ClubFactory(club_id="robotics", name="Robotics Club", owners=[owner])


def make_template(club, actor, **fields):
    defaults = {"name": "Winners", "institution": "Govt. College of Engineering"}
    return certificate_template_create(club=club, actor=actor, **{**defaults, **fields})


# Who designs templates


def test_a_club_owner_designs_a_template_for_the_club(club, owner):
    template = make_template(
        club, owner, signatories=[Signatory("Dr. A. Rao", "Principal"), Signatory("P. Nair", "Club Advisor")]
    )

    stored = CertificateTemplate.objects.get(pk=template.pk)
    assert (stored.club_id, stored.institution, stored.created_by) == (
        "robotics",
        "Govt. College of Engineering",
        owner,
    )
    assert stored.signatories == [
        {"name": "Dr. A. Rao", "designation": "Principal"},
        {"name": "P. Nair", "designation": "Club Advisor"},
    ]


def test_staff_design_college_wide_templates():
    template = make_template(None, StaffFactory())
    assert template.club is None


@pytest.mark.parametrize("who", ["organizer", "other_owner", "student"])
def test_only_the_club_owners_and_staff_design_the_club_templates(club, who):
    actor = {
        "organizer": lambda: _organizer_of(club),
        "other_owner": lambda: _owner_of_another_club(),
        "student": lambda: StudentUserFactory().user,
    }[who]()
    with pytest.raises(PermissionDenied):
        make_template(club, actor)
    assert not CertificateTemplate.objects.exists()


def _organizer_of(club):
    user = UserFactory()
    club.memberships.create(user=user, role="organizer")
    return user


def _owner_of_another_club():
    user = UserFactory()
    ClubFactory(owners=[user])
    return user


def test_a_club_owner_cannot_design_a_college_wide_template(owner, club):
    with pytest.raises(PermissionDenied, match="college-wide"):
        make_template(None, owner)


def test_an_anonymous_visitor_is_asked_to_log_in(club):
    with pytest.raises(NotAuthenticated):
        make_template(club, AnonymousUser())


# What the wording may say


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Awarded to {student} for {event_title}", "{student} is not a placeholder"),
        ("Awarded to {student_name for {event_title}", "A brace is not closed"),
        ("Awarded to student_name} for {event_title}", "A brace is not closed"),
        ("Awarded to {student_name:>40}", "{student_name:>40} is not a placeholder"),
        ("Awarded to {student_name.__class__}", "is not a placeholder"),
        ("Awarded to {0}", "{0} is not a placeholder"),
        ("Awarded to {}", "{} is not a placeholder"),
    ],
)
def test_an_unknown_placeholder_or_a_stray_brace_is_a_validation_error(club, owner, body, message):
    with pytest.raises(ValidationFailed) as refused:
        make_template(club, owner, body=body)
    assert message in refused.value.details["body"][0]
    assert "{student_name}" in refused.value.details["body"][0] or "{{" in refused.value.details["body"][0]


def test_doubled_braces_are_literal_braces(club, owner):
    template = make_template(club, owner, body="{{Hack}} award to {student_name}, {title}")
    assert template.body == "{{Hack}} award to {student_name}, {title}"


def test_a_bad_accent_colour_and_too_many_signatories_are_refused(club, owner):
    with pytest.raises(ValidationFailed) as refused:
        make_template(club, owner, accent_color="blue", signatories=[Signatory(f"S{n}") for n in range(4)])
    assert set(refused.value.details) >= {"accent_color", "signatories"}


# Images (the shared re-encoding is tested in tests/test_images.py; here what certificates add)


def test_an_upload_that_is_not_an_image_is_refused_with_a_clear_error():
    with pytest.raises(ImageInvalid) as refused:
        image_clean(b"%PDF-1.4 not an image", field="logo", max_side=600)
    assert refused.value.code == "IMAGE_INVALID"
    assert refused.value.message == "The file is not a JPEG or PNG image, or it is damaged."
    assert refused.value.details == {"field": "logo"}


def test_a_gif_or_a_webp_is_refused_for_a_certificate():
    webp = io.BytesIO()
    Image.new("RGB", (10, 10)).save(webp, format="WEBP")
    for data in (gif(), webp.getvalue()):
        with pytest.raises(ImageInvalid):
            image_clean(data, field="signature_1", max_side=600)


def test_a_decompression_bomb_is_refused_without_being_expanded():
    with pytest.raises(ImageTooLarge) as refused:
        image_clean(png_claiming_size(60_000, 60_000), field="logo", max_side=600)
    assert refused.value.details["field"] == "logo"


def test_an_image_is_shrunk_and_stripped_of_its_metadata():
    kept = image_clean(photo_with_gps(size=(2400, 1200)), field="logo", max_side=600)

    image = Image.open(io.BytesIO(kept))
    assert (image.format, image.size) == ("JPEG", (600, 300))
    assert not image.getexif()
    assert b"PhoneMaker" not in kept and b"taken at home" not in kept


def test_a_transparent_png_stays_a_png_and_a_noisy_photo_fits_its_budget():
    assert Image.open(io.BytesIO(image_clean(png_with_transparency(), field="logo", max_side=600))).format == "PNG"
    assert len(image_clean(noisy_jpeg(), field="logo", max_side=600)) <= MAX_STORED_BYTES


def test_a_signature_needs_its_signatory(club, owner):
    with pytest.raises(ValidationFailed) as refused:
        make_template(club, owner, signatories=[Signatory("A. Rao")], signatures={2: png()})
    assert "There is no signatory 2" in refused.value.details["signature_2"][0]


def test_removing_a_signatory_drops_their_signature(club, owner):
    template = make_template(club, owner, signatories=[Signatory("A"), Signatory("B")], signatures={1: png(), 2: png()})
    updated = certificate_template_update(template=template, actor=owner, signatories=[Signatory("A")])
    assert updated.signature_1 and updated.signature_2 is None


# The API


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_api_creates_a_template_from_json(club, owner):
    response = _api(owner).post(
        "/api/v2/certificate-templates/",
        {
            "club": "robotics",
            "name": "Winners",
            "institution": "GCE",
            "accent_color": "#aa3300",
            "body": "{student_name} won {title} at {event_title}",
            "signatories": [{"name": "Dr. A. Rao", "designation": "Principal"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["signatories"] == [{"name": "Dr. A. Rao", "designation": "Principal", "has_signature": False}]
    assert (body["club"], body["accent_color"], body["has_logo"]) == ("robotics", "#aa3300", False)
    assert body["preview_url"].endswith(f"/certificates/templates/{body['template_id']}/preview.pdf")


def test_the_api_takes_images_and_signatories_as_multipart(club, owner):
    response = _api(owner).post(
        "/api/v2/certificate-templates/",
        {
            "club": "robotics",
            "name": "Winners",
            "institution": "GCE",
            "signatories": json.dumps([{"name": "A. Rao", "designation": "Principal"}, {"name": "B. Sen"}]),
            "logo": io.BytesIO(png()),
            "signature_2": io.BytesIO(png(size=(300, 100))),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["has_logo"] is True
    assert [s["has_signature"] for s in body["signatories"]] == [False, True]
    stored = CertificateTemplate.objects.get(pk=body["template_id"])
    assert Image.open(io.BytesIO(bytes(stored.signature_2))).size == (300, 100)


def test_the_api_refuses_a_bad_image_with_its_code_and_field(club, owner):
    response = _api(owner).post(
        "/api/v2/certificate-templates/",
        {"club": "robotics", "name": "W", "institution": "GCE", "logo": io.BytesIO(b"GIF89a not really")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "IMAGE_INVALID"
    assert response.json()["error"]["message"] == "The file is not a JPEG or PNG image, or it is damaged."
    assert response.json()["error"]["details"] == {"field": "logo"}
    assert not CertificateTemplate.objects.exists()


def test_the_api_refuses_signatories_that_are_not_json(club, owner):
    response = _api(owner).post(
        "/api/v2/certificate-templates/",
        {"club": "robotics", "name": "W", "institution": "GCE", "signatories": "A. Rao, Principal"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "JSON list" in str(response.json()["error"]["details"]["signatories"])


def test_the_api_answers_an_unknown_club_as_a_field_error(club, owner):
    response = _api(owner).post(
        "/api/v2/certificate-templates/",
        {"club": "null", "name": "W", "institution": "GCE"},
        format="multipart",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["club"] == ["No club 'null'."]


def test_the_api_answers_a_bad_placeholder_with_a_validation_error(club, owner):
    response = _api(owner).post(
        "/api/v2/certificate-templates/",
        {"club": "robotics", "name": "W", "institution": "GCE", "body": "Hi {name}"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["body"] == [
        "{name} is not a placeholder. Use only {student_name}, {event_title}, {event_dates}, {title}."
    ]


@pytest.mark.parametrize("body_format", ["multipart", "json"])
def test_a_patch_with_a_signatory_without_a_name_is_a_field_error(club, owner, body_format):
    template = make_template(club, owner, signatories=[Signatory("A")])
    signatories = [{"designation": ""}]
    response = _api(owner).patch(
        f"/api/v2/certificate-templates/{template.pk}/",
        {"signatories": json.dumps(signatories) if body_format == "multipart" else signatories},
        format=body_format,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "name" in str(error["details"]["signatories"])


def test_the_api_patches_fields_and_replaces_an_image(club, owner):
    template = make_template(club, owner, signatories=[Signatory("A")])
    response = _api(owner).patch(
        f"/api/v2/certificate-templates/{template.pk}/",
        {"institution": "New Name", "signature_1": io.BytesIO(png())},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["institution"] == "New Name"
    assert response.json()["signatories"][0]["has_signature"] is True


@pytest.mark.parametrize(
    ("who", "listed", "detail", "patch"),
    [
        ("staff", 2, 200, 200),
        ("owner", 1, 200, 200),
        ("other_owner", 0, 404, 404),
        ("organizer", 0, 404, 404),
        ("student", 0, 404, 404),
        ("anonymous", None, 401, 401),
    ],
)
def test_who_sees_and_changes_a_club_template(club, owner, who, listed, detail, patch):
    template = make_template(club, owner)
    make_template(None, StaffFactory())
    user = {
        "staff": StaffFactory,
        "owner": lambda: owner,
        "other_owner": _owner_of_another_club,
        "organizer": lambda: _organizer_of(club),
        "student": lambda: StudentUserFactory().user,
        "anonymous": lambda: None,
    }[who]()
    client = _api(user)

    listing = client.get("/api/v2/certificate-templates/")
    assert client.get(f"/api/v2/certificate-templates/{template.pk}/").status_code == detail
    changed = client.patch(f"/api/v2/certificate-templates/{template.pk}/", {"name": "Mine"}, format="json")

    if listed is None:
        assert listing.status_code == 401
    else:
        assert len(listing.json()["results"]) == listed
    assert changed.status_code == patch
    assert CertificateTemplate.objects.get(pk=template.pk).name == ("Mine" if patch == 200 else "Winners")


def test_a_club_owner_creating_for_another_club_is_forbidden(club):
    response = _api(_owner_of_another_club()).post(
        "/api/v2/certificate-templates/", {"club": "robotics", "name": "W", "institution": "GCE"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


# The event's choice


def test_an_event_chooses_its_club_template_or_a_college_wide_one(club, owner):
    event = EventFactory(club=club)
    own = make_template(club, owner)
    college = make_template(None, StaffFactory())
    other = make_template(other_club := ClubFactory(), StaffFactory())
    assert other_club.pk != club.pk
    client = _api(owner)

    for template in (own, college):
        response = client.patch(f"/api/v2/events/{event.pk}/", {"certificate_template": template.pk}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["certificate_template"] == template.pk

    refused = client.patch(f"/api/v2/events/{event.pk}/", {"certificate_template": other.pk}, format="json")
    assert refused.status_code == 400
    assert "certificate_template" in refused.json()["error"]["details"]
    cleared = client.patch(f"/api/v2/events/{event.pk}/", {"certificate_template": None}, format="json")
    assert cleared.json()["certificate_template"] is None
    event.refresh_from_db()
    assert event.certificate_template is None


def test_the_preview_url_answers_the_api_token_of_a_designer_only(club, owner, client_for):
    template = make_template(club, owner, institution="GCE Pune")
    url = _api(owner).get(f"/api/v2/certificate-templates/{template.pk}/").json()["preview_url"]
    path = url.removeprefix(settings.SITE_URL)

    shown = client_for(owner).get(path)
    hidden = client_for(StudentUserFactory().user).get(path)

    assert shown["Content-Type"] == "application/pdf" and shown.content.startswith(b"%PDF")
    assert hidden.status_code == 404
    assert client_for().get(path, HTTP_AUTHORIZATION="Token wrong").status_code == 401
