"""Plain values out of legacy data: Extended JSON unwrapped, dates, numbers, flags, text, and the
ids and secrets derived from legacy data (the same data gives the same ids on every run)."""

import base64
import hashlib
import hmac
import re
import sys
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from eventsite import ids
from eventsite.text import printable

CALENDAR_TOKEN_LENGTH = 26  # 130 bits, as a fresh token carries
CHECKIN_CODE_LENGTH = 13
DERIVED_ID_CHARS = 16


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def college_zone() -> ZoneInfo:
    return _zone(settings.TIME_ZONE)


def parse_date(value: Any) -> datetime | None:
    """An aware datetime from an ISO string, epoch milliseconds or a datetime; None if it is none of those.

    Dates without a zone are in the college's time zone (``settings.TIME_ZONE``)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        # Fast path for the common forms ("...Z", "+05:30", naive): nothing to clean up first.
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = _parse_date_text(value)
            if moment is None:
                return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=college_zone())
    return moment


def _parse_date_text(value: str) -> datetime | None:
    """The slow path of ``parse_date``: surrounding blanks, a lower-case "z"."""
    text = value.strip()
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def extended_json_hook(obj: dict) -> Any:
    """Unwrap MongoDB Extended JSON (relaxed or canonical) as the decoder builds each object."""
    if len(obj) != 1:
        return obj
    ((key, value),) = obj.items()
    if key == "$date":  # by far the most common wrapper: checked first
        return parse_date(value) or obj
    if not key.startswith("$"):
        return obj
    try:
        if key in ("$numberInt", "$numberLong"):
            return int(value)
        if key in ("$numberDouble", "$numberDecimal"):
            number = float(value)
            return int(number) if number.is_integer() else number
    except (TypeError, ValueError):
        return obj
    if key == "$oid" and isinstance(value, str):
        return value
    return obj


def clean_text(value: Any) -> str:
    # Control characters are blanked (line breaks and tabs kept): PostgreSQL cannot store a NUL,
    # which stopped the whole migration, and no page, feed or email should meet the others.
    if value.__class__ is str:
        return printable(value, multiline=True).strip()
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return str(value)


def record_id_or_none(value: Any) -> str | None:
    """A record's own id as kept: its text cut to the id columns' 40 characters, or None when it has none."""
    return clean_text(value)[:40] or None


def shared(value: str) -> str:
    """One copy of short values repeated on every record (sessions, departments, "ok")."""
    return sys.intern(value) if len(value) <= 32 else value


def integer(value: Any) -> int | None:
    """A whole number from an int, an integral float or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def flag(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    if isinstance(value, int):
        return bool(value)
    return default


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def date_out(moment: datetime | None) -> dict | None:
    return {"$date": iso(moment)} if moment is not None else None


def derive_id(prefix: str, *parts: str) -> str:
    """A stable id for a legacy record that has none: the same legacy data, the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return prefix + _base32(digest, DERIVED_ID_CHARS)


def checkin_code_for(registration_id: str, secret: bytes | None = None) -> str:
    """A check-in code that reruns reproduce but nobody can compute without the SECRET_KEY."""
    key = secret if secret is not None else settings.SECRET_KEY.encode()
    digest = hmac.digest(key, b"legacy-checkin:" + registration_id.encode(), "sha256")
    return _base32(digest, CHECKIN_CODE_LENGTH)


def calendar_token_for(enrollment_no: str, secret: bytes | None = None) -> str:
    """An imported student's calendar-feed secret: reruns reproduce it, nobody can compute it without SECRET_KEY."""
    key = secret if secret is not None else settings.SECRET_KEY.encode()
    digest = hmac.digest(key, b"legacy-calendar:" + enrollment_no.encode(), "sha256")
    return _base32(digest, CALENDAR_TOKEN_LENGTH)


# base64's RFC 4648 base32 reads five-bit groups in the same order; only the letters differ.
_RFC4648_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ids.ALPHABET.encode())


def _base32(digest: bytes, length: int) -> str:
    """The first ``length`` five-bit groups of ``digest`` in Crockford's alphabet."""
    return base64.b32encode(digest[: (length * 5 + 7) // 8])[:length].translate(_RFC4648_TO_CROCKFORD).decode()


@lru_cache(maxsize=4)
def compiled(source: str) -> re.Pattern:
    return re.compile(source)


def checkin_code_or_none(value: Any) -> str | None:
    if isinstance(value, str) and 8 <= len(value) <= 16 and all(char in ids.ALPHABET for char in value):
        return value
    return None


def enrollment_clean(raw: Any, pattern: re.Pattern | None = None) -> tuple[str | None, str | None]:
    """``(enrollment_no, None)`` or ``(None, problem code)``: any case, stray spaces removed."""
    value = "".join(raw.split()).upper() if isinstance(raw, str) else clean_text(raw).upper()
    if not value:
        return None, "NO_ENROLLMENT"
    if not (pattern or compiled(settings.ENROLLMENT_NO_PATTERN)).fullmatch(value):
        return None, "INVALID_ENROLLMENT"
    return value, None


def year_from_semester(semester: Any) -> int | None:
    number = integer(semester)
    if number is None or not 1 <= number <= 12:
        return None
    return (number + 1) // 2


def semester_from_year(year: int | None) -> int | None:
    return None if year is None else year * 2 - 1
