"""The door in Chromium: a fake camera filming a real QR code, and a scanner that goes offline."""

import io
import os
import shutil
from pathlib import Path

import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from registrations.models import Attendance
from registrations.services import registration_create, scanner_link_create
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, log_in
from tests.factories import EventFactory, StudentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "door.png"


def _qr_video(text: str, path: Path, frames: int = 20) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of a phone screen showing ``text`` as a QR code."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=8, border=4)
    code = Image.open(buffer).convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
    chroma = [plane.resize((320, 240)).tobytes() for plane in (cb, cr)]
    with path.open("wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            video.write(b"FRAME\n" + y.tobytes() + chroma[0] + chroma[1])
    return path


def test_the_camera_reads_the_code_and_the_student_is_marked(playwright, live_server, tmp_path, shoot):

    organizer = UserFactory(username="door-organizer")
    event = EventFactory(organizers=[organizer], title="Robotics Talk")
    student = StudentFactory(full_name="Aarav Sharma")
    registration = registration_create(event=event, enrollment_no=student.pk)
    video = _qr_video(registration.checkin_code, tmp_path / "qr.y4m")
    camera_args = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera_args)
    try:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, "door-organizer")
        page.goto(f"/events/{event.pk}/scan/")

        expect(page.locator("#door-answer")).to_be_visible(timeout=20_000)
        expect(page.locator("#door-headline")).to_have_text("Checked in")
        expect(page.locator("#door-name")).to_have_text("Aarav Sharma")
        picture = shoot(page, "camera")
        if os.environ.get("UPDATE_README_SCREENSHOTS"):
            shutil.copyfile(picture, README_SCREENSHOT)
    finally:
        browser.close()

    attendance = Attendance.objects.get(student=student)
    assert (attendance.method, attendance.marked_by.username) == ("scan", "door-organizer")


def test_offline_scans_are_answered_from_the_kept_roster_and_sent_when_the_network_returns(new_context, shoot):
    organizer = UserFactory(username="door-organizer")
    event = EventFactory(organizers=[organizer])
    registrations = [
        registration_create(event=event, enrollment_no=StudentFactory(full_name=name).pk)
        for name in ("Diya Nair", "Kabir Mehta", "Meera Iyer", "Rohan Gupta")
    ]
    _, token = scanner_link_create(event=event, label="Gate 2", actor=organizer)
    context = new_context(375, 740)
    page = context.new_page()
    page.goto(f"/scan/{token}/")
    expect(page.locator("#door-expected")).to_have_text("4")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    for registration in registrations[:3]:
        page.locator("#door-code").fill(registration.checkin_code.lower())
        page.locator("#door-code").press("Enter")
        expect(page.locator("#door-headline")).to_have_text("Checked in")
        expect(page.locator("#door-name")).to_have_text(registration.student.full_name)
        page.locator("#door-answer").click()
    expect(page.locator("#door-waiting")).to_have_text("3")
    shoot(page, "offline")
    assert not Attendance.objects.exists()

    page.reload()
    expect(page.locator("#door-waiting")).to_have_text("3")
    expect(page.locator("#door-in")).to_have_text("3")
    context.set_offline(False)
    expect(page.locator("#door-waiting")).to_have_text("0")

    attendances = Attendance.objects.filter(event=event)
    assert sorted(a.student_id for a in attendances) == sorted(r.student_id for r in registrations[:3])
    assert {a.method for a in attendances} == {"offline"}
    assert {a.scanner_link.label for a in attendances} == {"Gate 2"}
