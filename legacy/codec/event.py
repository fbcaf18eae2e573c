"""The event's own fields: its row and its sessions."""

import re

from django.utils.text import slugify

from legacy.codec.drafts import RegistrationDraft, reported_date
from legacy.codec.rows import EventDropped, EventRow, Problem, Problems, SessionRow
from legacy.codec.values import clean_text, flag, integer, parse_date

DEFAULT_SESSION = "main"
EVENT_STATUSES = {"draft": "draft", "published": "published", "completed": "published", "cancelled": "cancelled"}
MAX_INTEGER = 2_147_483_647  # what every database stores in an integer column
MAX_SMALL_INTEGER = 32_767
_EVENT_ID = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")


def event_row(fields: dict, drafts: list[RegistrationDraft], problems: Problems) -> EventRow:
    """The event's row; ``EventDropped`` when it has no usable id or start."""
    raw_id = fields.get("event_id")
    event_id = clean_text(raw_id)
    if not _EVENT_ID.match(event_id):
        code = "NO_EVENT_ID" if not event_id else "INVALID_EVENT_ID"
        raise EventDropped(Problem("event_id", code, f"Event id {raw_id!r} is missing or not a slug."))
    starts_at = parse_date(fields.get("start_datetime"))
    if starts_at is None:
        raise EventDropped(
            Problem("start_datetime", "INVALID_DATE", f"Start {fields.get('start_datetime')!r} is not a date.")
        )
    ends_at = parse_date(fields.get("end_datetime"))
    if ends_at is None or ends_at < starts_at:
        if fields.get("end_datetime") is not None:
            problems.drop("end_datetime", "INVALID_DATE", "The end is not a date after the start; the start is used.")
        ends_at = starts_at
    opens_at = reported_date(problems, fields.get("registration_start"), "registration_start")
    closes_at = reported_date(problems, fields.get("registration_end"), "registration_end")
    if opens_at and closes_at and closes_at <= opens_at:
        problems.drop("registration_end", "INVALID_DATE", "Registration closes before it opens; no closing date kept.")
        closes_at = None
    capacity = None
    if fields.get("max_participants") is not None:
        capacity = integer(fields.get("max_participants"))
        if capacity is None or not 0 <= capacity <= MAX_INTEGER:
            problems.drop("max_participants", "INVALID_VALUE", f"{fields.get('max_participants')!r} is not a count.")
            capacity = None
    has_teams = any(draft.team_key or draft.member_of for draft in drafts)
    mode = clean_text(fields.get("event_type")).lower()
    if mode not in ("individual", "team"):
        if fields.get("event_type") is not None:
            problems.drop("event_type", "INVALID_VALUE", f"Unknown event type {fields.get('event_type')!r}.")
        mode = "team" if has_teams else "individual"
    size_min, size_max = 1, 1
    if mode == "team":
        size = fields.get("team_size") if isinstance(fields.get("team_size"), dict) else {}
        size_min, size_max = integer(size.get("min")), integer(size.get("max"))
        if size_min is None or size_max is None or not 1 <= size_min <= size_max <= MAX_SMALL_INTEGER:
            if fields.get("team_size") is not None:
                problems.drop("team_size", "INVALID_VALUE", "team_size needs 1 <= min <= max.")
            size_min, size_max = 1, max(_largest_team(drafts), 1)
    status_raw = clean_text(fields.get("status")).lower() or "published"
    status = EVENT_STATUSES.get(status_raw)
    if status is None:
        problems.drop("status", "INVALID_STATUS", f"Unknown event status {fields.get('status')!r}; kept as draft.")
        status = "draft"
    min_sessions = integer(fields.get("min_sessions_for_certificate"))
    return EventRow(
        event_id=event_id,
        title=(" ".join(clean_text(fields.get("event_name")).split()) or event_id)[:200],
        description=clean_text(fields.get("event_description")),
        venue=clean_text(fields.get("venue"))[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        registration_opens_at=opens_at,
        registration_closes_at=closes_at,
        capacity=capacity,
        registration_mode=mode,
        team_size_min=size_min,
        team_size_max=size_max,
        waitlist_enabled=flag(fields.get("waitlist"), False),
        min_sessions_for_certificate=min_sessions
        if min_sessions is not None and 0 <= min_sessions <= MAX_SMALL_INTEGER
        else 1,
        certificate_requires_feedback=flag(fields.get("certificate_requires_feedback"), False),
        status=status,
    )


def _largest_team(drafts: list[RegistrationDraft]) -> int:
    sizes: dict[str, int] = {}
    for draft in drafts:
        key = draft.team_key or draft.member_of
        if key:
            sizes[key] = sizes.get(key, 0) + 1
    return max(sizes.values(), default=1)


def session_rows(fields: dict, problems: Problems) -> list[SessionRow]:
    raw = fields.get("sessions")
    if raw is None or raw == []:
        return [SessionRow(DEFAULT_SESSION, "", 0)]
    if not isinstance(raw, list):
        problems.drop("sessions", "INVALID_VALUE", "sessions must be a list; one session is used.")
        return [SessionRow(DEFAULT_SESSION, "", 0)]
    sessions: list[SessionRow] = []
    for position, item in enumerate(raw):
        if isinstance(item, dict):
            name = clean_text(item.get("title") or item.get("name") or item.get("code") or item.get("session_id"))
            code = slugify(clean_text(item.get("code") or item.get("session_id")) or name)[:40]
        else:
            name = clean_text(item)
            code = slugify(name)[:40]
        if not code:
            problems.drop(f"sessions[{position}]", "INVALID_VALUE", f"Session {item!r} has no usable name.")
            continue
        if any(session.code == code for session in sessions):
            problems.drop(f"sessions[{position}]", "DUPLICATE_SESSION", f"Session {code!r} is listed twice.")
            continue
        sessions.append(SessionRow(code, name, len(sessions)))
    return sessions or [SessionRow(DEFAULT_SESSION, "", 0)]
