"""Unguessable identifiers.

Registration ids, check-in codes and certificate ids are public (printed, scanned,
typed into a verification form), so each carries at least 64 random bits from
``secrets``. Crockford's base32 alphabet has no I, L, O or U: nothing to misread
when a code is typed from a phone screen or a printed certificate.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BITS_PER_CHAR = 5


# Each random byte picks the letter of its low five bits: 256 = 8 x 32, so every letter has exactly
# eight bytes and is equally likely. One read of the system's random source per token (a
# ``secrets.choice`` per letter read it once a letter, which cost a registration ~0.1 ms).
LETTER_OF_BYTE = bytes(ord(ALPHABET[byte % len(ALPHABET)]) for byte in range(256))


def random_token(length: int) -> str:
    return secrets.token_bytes(length).translate(LETTER_OF_BYTE).decode("ascii")


def typed_code_normalize(raw: object) -> str:
    """A code a person typed or a scanner read (a check-in code, a team's join code, an event's access
    code) as it is stored: no case, no surrounding spaces, none of the dashes or spaces people type
    between its letters."""
    return raw.strip().upper().replace("-", "").replace(" ", "") if isinstance(raw, str) else ""


def new_registration_id() -> str:
    return "R" + random_token(16)  # 80 bits


def new_team_id() -> str:
    return "T" + random_token(16)


def new_attendance_id() -> str:
    return "A" + random_token(16)


def new_feedback_id() -> str:
    return "F" + random_token(16)


def new_certificate_id() -> str:
    return "C" + random_token(16)  # 80 bits


def new_record_snapshot_id() -> str:
    return "R" + random_token(16)


def new_scanner_link_id() -> str:
    return "L" + random_token(12)


def new_checkin_code() -> str:
    return random_token(13)  # 65 bits, short enough to type


def new_calendar_token() -> str:
    return random_token(26)  # 130 bits: the feed URL is the only secret guarding it
