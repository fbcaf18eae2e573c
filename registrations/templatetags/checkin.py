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
    svg = segno.make(code, error="m").svg_inline(
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
