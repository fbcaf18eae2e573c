import segno
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def checkin_qr_svg(code: str | None) -> str:
    """The check-in code as an inline SVG QR code; the door's scanner types the code itself."""
    if not code:
        return ""
    # A full QR code: segno would pick a Micro QR for 13 characters, which phone cameras and jsQR do not read.
    svg = segno.make_qr(code, error="m").svg_inline(
        scale=6,
        border=2,
        omitsize=True,
        dark="#000",
        light="#fff",
        title=f"Check-in QR code {code}",
        svgclass="qr",
        lineclass=None,
    )
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape("Check-in QR code " + code)}" ', 1))
