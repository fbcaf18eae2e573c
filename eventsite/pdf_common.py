"""What every PDF of the site shares: the fonts it embeds, text that mixes scripts drawn with
the right font, and the QR code of a verification URL.

DejaVu Sans covers Latin with its accents (and Greek and Cyrillic); Lohit Devanagari covers
Hindi, Marathi and the other Devanagari names students have. Both ship in
``certificates/fonts/`` with their licences, so a PDF looks the same on any machine, and
reportlab embeds the glyphs used (a subset) in each PDF. reportlab picks one font per
string, so text is cut into runs by script and each run is drawn with its font.

Devanagari needs shaping: a vowel sign such as ि is written after its consonant but drawn
before it, and conjuncts join through the virama. reportlab shapes a run with HarfBuzz
(``uharfbuzz``) when asked: ``text_shaped`` does it for the runs drawn on the canvas, and
the wording's paragraph style asks for it (``shaping=1``).
"""

import re
from pathlib import Path

import segno
from django.conf import settings
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.fonts import addMapping
from reportlab.lib.utils import escapeOnce
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr

FONT_DIR = Path(settings.BASE_DIR) / "certificates" / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_DEVANAGARI = "Lohit-Devanagari"
_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf", FONT_DEVANAGARI: "Lohit-Devanagari.ttf"}
# Devanagari, its extensions and the Vedic marks; the danda (U+0964, U+0965) comes with them.
_DEVANAGARI_RUN = re.compile("([\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff\u200c\u200d]+)")


# Images go into the PDF as binary streams: the ASCII85 text form is a quarter larger and costs
# most of a certificate's rendering time in reportlab's pure-Python encoder.
rl_config.useA85 = 0


def fonts_register() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in _FILES.items():
        if name not in registered:
            # Only Devanagari is shaped: shaping Latin would only swap "st" and "fi" for
            # ligature glyphs that PDF readers copy and search badly.
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename), shapable=name == FONT_DEVANAGARI))
    # Paragraph markup (<b>) finds the bold face through the family mapping.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT_BOLD, 0, 0, FONT_BOLD)
    addMapping(FONT_BOLD, 1, 0, FONT_BOLD)
    addMapping(FONT_DEVANAGARI, 0, 0, FONT_DEVANAGARI)
    addMapping(FONT_DEVANAGARI, 1, 0, FONT_DEVANAGARI)


def text_runs(text: str, font: str) -> list[tuple[str, str]]:
    """``[(piece, font name)]``: Devanagari pieces in Lohit, the rest in ``font``."""
    runs = []
    for index, piece in enumerate(_DEVANAGARI_RUN.split(text)):
        if piece:
            runs.append((piece, FONT_DEVANAGARI if index % 2 else font))
    return runs


def text_shaped(piece: str, name: str, size: float) -> str:
    """``piece`` as reportlab draws it: shaped by HarfBuzz in the Devanagari font, else as it is."""
    return shapeStr(piece, name, size) if name == FONT_DEVANAGARI else piece


def run_width(piece: str, name: str, size: float) -> float:
    if isinstance(piece, ShapedStr):
        return sum(glyph.x_advance for glyph in piece.__shapeData__) * size / 1000
    return pdfmetrics.stringWidth(piece, name, size)


def text_width(text: str, font: str, size: float) -> float:
    return sum(run_width(text_shaped(piece, name, size), name, size) for piece, name in text_runs(text, font))


def text_draw(canvas, x: float, y: float, text: str, font: str, size: float, *, centred: bool = False) -> None:
    """Draw ``text`` from ``x`` (or centred on it), each script in its font; each run is shaped once."""
    runs = [(text_shaped(piece, name, size), name) for piece, name in text_runs(text, font)]
    widths = [run_width(shaped, name, size) for shaped, name in runs]
    if centred:
        x -= sum(widths) / 2
    for (shaped, name), width in zip(runs, widths, strict=True):
        canvas.setFont(name, size)
        canvas.drawString(x, y, shaped)
        x += width


def text_fit_size(text: str, font: str, wanted: float, max_width: float) -> float:
    """``wanted``, or smaller so that the text fits on one line of ``max_width``."""
    width = text_width(text, font, wanted)
    return wanted if width <= max_width else wanted * max_width / width


def text_draw_fitted(canvas, x: float, y: float, text: str, font: str, wanted: float, max_width: float) -> None:
    """Draw ``text`` centred on ``x`` at ``wanted`` size, or smaller so that it fits on one line of ``max_width``."""
    text_draw(canvas, x, y, text, font, text_fit_size(text, font, wanted, max_width), centred=True)


def text_markup(text: object) -> str:
    """Escaped Paragraph markup of ``text``, its Devanagari runs in their font."""
    return "".join(
        f'<font name="{FONT_DEVANAGARI}">{escapeOnce(piece)}</font>' if name == FONT_DEVANAGARI else escapeOnce(piece)
        for piece, name in text_runs(str(text), FONT)
    )


QR_INK = HexColor("#1d2a3a")
QR_QUIET_MODULES = 2


def qr_draw(canvas, url: str, *, x: float, y: float, size: float, ink: Color = QR_INK) -> None:
    """The QR code of ``url`` at (x, y) as vector squares (sharp at any zoom, one path), with
    ``url`` as its link so a click in a PDF reader opens it too."""
    matrix = segno.make(url, error="m").matrix
    cell = size / (len(matrix) + 2 * QR_QUIET_MODULES)
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                left = x + (col_index + QR_QUIET_MODULES) * cell
                bottom = y + size - (row_index + QR_QUIET_MODULES + 1) * cell
                path.rect(left, bottom, cell, cell)
    canvas.setFillColor(ink)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    canvas.linkURL(url, (x, y, x + size, y + size), relative=0)
