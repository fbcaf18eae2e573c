"""The event's poster: uploaded on the organizer's page, the admin and the API, re-encoded without
its metadata, served cached under its fingerprint, shown on the event page and as og:image."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from events.models import EventPoster
from events.services import event_poster_remove, event_poster_set
from eventsite.errors import PermissionDenied, ValidationFailed
from eventsite.images import ImageInvalid
from tests.factories import EventFactory, UserFactory
from tests.images import GPS_IFD, photo_with_gps, png_claiming_size

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "poster.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def stored_image(event) -> Image.Image:
    image = Image.open(io.BytesIO(bytes(EventPoster.objects.get(event=event).image)))
    image.load()
    return image


# The service


def test_a_poster_is_stored_re_encoded_without_its_gps(event, organizer):
    original = photo_with_gps(size=(800, 600))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)

    poster = event_poster_set(event=event, upload=upload(original), alt_text="Robots on a stage", actor=organizer)

    image = stored_image(event)
    assert not image.getexif() and "exif" not in image.info
    assert b"PhoneMaker" not in bytes(poster.image)
    assert (poster.width, poster.height, poster.content_type) == (800, 600, "image/jpeg")
    assert poster.alt_text == "Robots on a stage" and poster.uploaded_by == organizer


def test_a_new_poster_replaces_the_old_one_and_changes_its_address(event, organizer):
    first = event_poster_set(event=event, upload=photo_with_gps(size=(100, 100)), actor=organizer)
    second = event_poster_set(event=event, upload=photo_with_gps(size=(200, 100)), actor=organizer)

    assert EventPoster.objects.filter(event=event).count() == 1
    assert first.get_absolute_url() != second.get_absolute_url()


def test_only_the_events_organizers_change_its_poster(event):
    with pytest.raises(PermissionDenied):
        event_poster_set(event=event, upload=photo_with_gps(), actor=UserFactory())
    with pytest.raises(PermissionDenied):
        event_poster_remove(event=event, actor=UserFactory())

    assert not EventPoster.objects.exists()


def test_an_alt_text_with_a_line_break_is_refused(event, organizer):
    with pytest.raises(ValidationFailed) as refused:
        event_poster_set(event=event, upload=photo_with_gps(), alt_text="A\r\nBcc: x@example.com", actor=organizer)

    assert "alt_text" in refused.value.details
    assert not EventPoster.objects.exists()


def test_a_file_that_is_not_an_image_leaves_the_old_poster(event, organizer):
    event_poster_set(event=event, upload=photo_with_gps(), actor=organizer)

    with pytest.raises(ImageInvalid):
        event_poster_set(event=event, upload=b"GIF89a not really", actor=organizer)

    assert stored_image(event).size == (640, 480)


# The pages


def test_the_organizer_uploads_the_poster_on_the_edit_page(login, event, organizer):
    client = login(organizer)
    edit = client.get(f"/organize/events/{event.pk}/edit/")
    assert b'enctype="multipart/form-data"' in edit.content

    response = client.post(
        f"/organize/events/{event.pk}/poster/",
        {"action": "upload", "poster": upload(photo_with_gps()), "alt_text": "Robots"},
    )

    assert response.status_code == 302
    assert not stored_image(event).getexif()
    assert b"Remove the poster" in client.get(f"/organize/events/{event.pk}/edit/").content


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.4 not an image", "not a JPEG, PNG or WebP image"),
        (png_claiming_size(50_000, 50_000), "far too many pixels"),
    ],
    ids=["not-an-image", "bomb"],
)
def test_the_edit_page_says_what_is_wrong_with_a_refused_file(login, event, organizer, data, message):
    response = login(organizer).post(
        f"/organize/events/{event.pk}/poster/", {"action": "upload", "poster": upload(data, "x.png", "image/png")}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EventPoster.objects.exists()


def test_removing_the_poster_asks_first(login, event, organizer):
    event_poster_set(event=event, upload=photo_with_gps(), actor=organizer)
    client = login(organizer)

    question = client.get(f"/organize/events/{event.pk}/poster/?remove=1")
    assert b"Remove the poster?" in question.content and EventPoster.objects.exists()

    client.post(f"/organize/events/{event.pk}/poster/", {"action": "remove"})
    assert not EventPoster.objects.exists()


def test_someone_else_cannot_open_the_poster_page(login, event):
    assert login(UserFactory()).get(f"/organize/events/{event.pk}/poster/").status_code == 403


def test_the_event_page_shows_the_poster_with_its_alt_text_and_as_og_image(client, event, organizer):
    poster = event_poster_set(event=event, upload=photo_with_gps(), alt_text='Robots & "drones"', actor=organizer)

    page = client.get(f"/events/{event.pk}/").content.decode()

    url = poster.get_absolute_url()
    assert f'<img src="{url}" alt="Robots &amp; &quot;drones&quot;" width="640" height="480">' in page
    assert re.search(rf'<meta property="og:image" content="https?://[^"]+{re.escape(url)}">', page)
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_without_alt_text_the_poster_is_described_by_the_title(client, organizer):
    event = EventFactory(title="Robo Wars", organizers=[organizer])
    event_poster_set(event=event, upload=photo_with_gps(), actor=organizer)

    assert 'alt="Poster of Robo Wars"' in client.get(f"/events/{event.pk}/").content.decode()


def test_the_poster_is_served_cached_for_ever_under_its_fingerprint(client, event, organizer):
    poster = event_poster_set(event=event, upload=photo_with_gps(), actor=organizer)

    response = client.get(poster.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.content == bytes(EventPoster.objects.get(event=event).image)
    assert client.get(poster.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_an_old_poster_address_leads_to_the_current_one(client, event, organizer):
    old = event_poster_set(event=event, upload=photo_with_gps(size=(10, 10)), actor=organizer).get_absolute_url()
    new = event_poster_set(event=event, upload=photo_with_gps(size=(20, 10)), actor=organizer).get_absolute_url()

    response = client.get(old)

    assert response.status_code == 302 and response["Location"] == new


def test_a_drafts_poster_is_hidden_from_everyone_but_its_organizers(client, login, organizer):
    draft = EventFactory(status="draft", organizers=[organizer])
    url = event_poster_set(event=draft, upload=photo_with_gps(), actor=organizer).get_absolute_url()

    assert client.get(url).status_code == 404
    response = login(organizer).get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-cache"


# The API


def test_the_api_takes_the_poster_as_multipart_and_strips_its_gps(client_for, event, organizer):
    response = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/poster",
        {"poster": upload(photo_with_gps(fmt="WEBP"), "p.webp", "image/webp"), "alt_text": "Robots"},
        format="multipart",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["width"], body["height"], body["content_type"], body["alt_text"]) == (640, 480, "image/jpeg", "Robots")
    assert not stored_image(event).getexif()
    assert client_for(None).get(f"/api/v2/events/{event.pk}/").json()["poster"] == body


@pytest.mark.parametrize(
    "data, status, code",
    [
        (b"<svg onload='alert(1)'/>", 400, "IMAGE_INVALID"),
        (png_claiming_size(10_000, 5_000), 413, "IMAGE_TOO_LARGE"),
    ],
    ids=["svg", "bomb"],
)
def test_the_api_refuses_what_is_not_a_safe_image_with_a_stable_code(client_for, event, organizer, data, status, code):
    response = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/poster", {"poster": upload(data, "x.png", "image/png")}, format="multipart"
    )

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["details"]["field"] == "poster"


def test_the_api_refuses_a_file_over_the_byte_limit(client_for, event, organizer, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 2000

    response = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/poster", {"poster": upload(photo_with_gps(size=(400, 400)))}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_multipart_body_may_carry_an_image_larger_than_the_json_limit(client_for, event, organizer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    noisy = Image.effect_noise((300, 300), 80).convert("RGB")
    data = io.BytesIO()
    noisy.save(data, format="PNG")
    assert len(data.getvalue()) > 1000

    response = client_for(organizer).post(
        f"/api/v2/events/{event.pk}/poster", {"poster": upload(data.getvalue(), "n.png")}, format="multipart"
    )

    assert response.status_code == 200


def test_the_api_removes_the_poster(client_for, event, organizer):
    event_poster_set(event=event, upload=photo_with_gps(), actor=organizer)

    assert client_for(organizer).delete(f"/api/v2/events/{event.pk}/poster").status_code == 204
    assert client_for(organizer).delete(f"/api/v2/events/{event.pk}/poster").status_code == 404
    assert client_for(None).get(f"/api/v2/events/{event.pk}/").json()["poster"] is None


# The admin


def _admin_change_data(admin_client, event) -> dict:
    form = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "organizers"}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        when = timezone.localtime(getattr(event, name))
        data.pop(name, None)
        data |= {f"{name}_0": when.strftime("%Y-%m-%d"), f"{name}_1": when.strftime("%H:%M:%S")}
    for inline in ("sessions", "feedback_questions", "questions"):
        data |= {f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"}
    return data


def test_staff_upload_a_poster_in_the_admin_and_its_gps_is_gone(admin_client, event):
    url = reverse("admin:events_event_change", args=[event.pk])
    assert b'enctype="multipart/form-data"' in admin_client.get(url).content
    data = _admin_change_data(admin_client, event)

    response = admin_client.post(url, data | {"poster_upload": upload(photo_with_gps()), "poster_alt_text": "Robots"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not stored_image(event).getexif()
    assert EventPoster.objects.get(event=event).alt_text == "Robots"
    assert b"Robots" in admin_client.get(url).content


def test_the_admin_shows_a_refused_file_as_a_form_error(admin_client, event):
    url = reverse("admin:events_event_change", args=[event.pk])

    response = admin_client.post(url, _admin_change_data(admin_client, event) | {"poster_upload": upload(b"nope")})

    assert response.status_code == 200
    assert "IMAGE_INVALID" in str(response.context["adminform"].form.errors)
    assert not EventPoster.objects.exists()


def test_staff_remove_the_poster_in_the_admin(admin_client, event):
    event_poster_set(event=event, upload=photo_with_gps())
    url = reverse("admin:events_event_change", args=[event.pk])

    response = admin_client.post(url, _admin_change_data(admin_client, event) | {"poster_remove": "on"})

    assert response.status_code == 302
    assert not EventPoster.objects.exists()
