"""What every CSV and spreadsheet export shares: formula defusing and a streaming CSV writer."""

import re
from typing import Any

# A cell starting like a formula would run in a spreadsheet; "+91 98..." and "-5" are data.
_FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![0-9 ()+-]*$)")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading quote, which keeps it text."""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


class CsvLine:
    """A file-like object whose ``write`` returns the line, so that ``csv.writer`` can feed a stream."""

    def write(self, value: str) -> str:
        return value
