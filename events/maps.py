"""The enrollment-keyed maps of an event: read-only views over the rows.

Each map loads in one indexed query when iterated, counted or converted with
``dict()``; a single-key lookup (``event.registrations["22CSE30001"]``,
``"22CSE30001" in event.attendances``) is one indexed query of its own and does
not load the rest. Nothing here is stored: every fact lives in its row.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.apps import apps
from django.db.models.functions import Lower

from registrations.models import ACTIVE_STATUSES, RegistrationStatus

_MISSING = object()


class RowMap(Mapping):
    def __init__(
        self, load_all: Callable[[], dict], load_one: Callable[[Any], Any], normalize_key: Callable[[Any], Any]
    ):
        self._load_all = load_all
        self._load_one = load_one
        self._normalize_key = normalize_key
        self._data: dict | None = None
        self._by_normalized_key: dict | None = None

    def _all(self) -> dict:
        if self._data is None:
            self._data = self._load_all()
        return self._data

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, str):
            raise KeyError(key)
        if self._data is not None:
            return self._loaded_by_normalized_key()[self._normalize_key(key)]
        value = self._load_one(self._normalize_key(key))
        if value is _MISSING:
            raise KeyError(key)
        return value

    def _loaded_by_normalized_key(self) -> dict:
        if self._by_normalized_key is None:
            self._by_normalized_key = {self._normalize_key(key): value for key, value in self._all().items()}
        return self._by_normalized_key

    def __iter__(self) -> Iterator:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._all()!r})"


def _enrollment_key(key: str) -> str:
    return key.strip().upper()


def _team_name_key(name: str) -> str:
    """Team names are stored with single spaces and compared without case, as the services store them."""
    return " ".join(name.split()).lower()


def _model(label: str):
    return apps.get_model(label)


def _first_or_missing(values) -> Any:
    rows = list(values[:1])
    return rows[0] if rows else _MISSING


def registrations_map(event_pk: str) -> RowMap:
    """``{enrollment_no: registration_id}`` of confirmed registrations, in registration order."""
    confirmed = _model("registrations.Registration").objects.filter(
        event_id=event_pk, status=RegistrationStatus.CONFIRMED
    )
    return RowMap(
        lambda: dict(
            confirmed.order_by("registered_at", "registration_id").values_list("student_id", "registration_id")
        ),
        lambda enr: _first_or_missing(confirmed.filter(student_id=enr).values_list("registration_id", flat=True)),
        _enrollment_key,
    )


def waitlist_map(event_pk: str) -> RowMap:
    """``{enrollment_no: registration_id}`` of waitlisted registrations, in waitlist order."""
    waiting = _model("registrations.Registration").objects.filter(
        event_id=event_pk, status=RegistrationStatus.WAITLISTED
    )
    return RowMap(
        lambda: dict(
            waiting.order_by("waitlist_seq", "registered_at", "registration_id").values_list(
                "student_id", "registration_id"
            )
        ),
        lambda enr: _first_or_missing(waiting.filter(student_id=enr).values_list("registration_id", flat=True)),
        _enrollment_key,
    )


def team_registrations_map(event_pk: str) -> RowMap:
    """``{team_name: {enrollment_no: registration_id}}`` of active teams, in team order."""
    members = _model("registrations.Registration").objects.filter(
        event_id=event_pk, status__in=ACTIVE_STATUSES, team__isnull=False
    )

    def load_all() -> dict:
        teams: dict[str, dict[str, str]] = {}
        rows = members.order_by("team__created_at", "team_id", "registered_at", "registration_id").values_list(
            "team__name", "student_id", "registration_id"
        )
        for team_name, enrollment_no, registration_id in rows:
            teams.setdefault(team_name, {})[enrollment_no] = registration_id
        return teams

    def load_one(name: str) -> Any:
        rows = (
            members.alias(team_name_ci=Lower("team__name"))
            .filter(team_name_ci=name)
            .order_by("registered_at", "registration_id")
            .values_list("student_id", "registration_id")
        )
        found = dict(rows)
        return found or _MISSING

    return RowMap(load_all, load_one, _team_name_key)


def attendances_map(event_pk: str) -> RowMap:
    """``{enrollment_no: [attendance_id, ...]}`` in session order."""
    marks = _model("registrations.Attendance").objects.filter(event_id=event_pk)
    order = ("session__position", "session_id", "marked_at", "attendance_id")

    def load_all() -> dict:
        found: dict[str, list[str]] = {}
        for enrollment_no, attendance_id in marks.order_by(*order).values_list("student_id", "attendance_id"):
            found.setdefault(enrollment_no, []).append(attendance_id)
        return found

    def load_one(enr: str) -> Any:
        ids = list(marks.filter(student_id=enr).order_by(*order).values_list("attendance_id", flat=True))
        return ids or _MISSING

    return RowMap(load_all, load_one, _enrollment_key)


def feedbacks_map(event_pk: str) -> RowMap:
    """``{enrollment_no: feedback_id}``."""
    given = _model("registrations.Feedback").objects.filter(event_id=event_pk)
    return RowMap(
        lambda: dict(given.order_by("submitted_at", "feedback_id").values_list("student_id", "feedback_id")),
        lambda enr: _first_or_missing(given.filter(student_id=enr).values_list("feedback_id", flat=True)),
        _enrollment_key,
    )


def certificates_map(event_pk: str) -> RowMap:
    """``{enrollment_no: certificate_id}`` of participation certificates, revoked ones excluded."""
    valid = _model("certificates.Certificate").objects.filter(
        event_id=event_pk, revoked_at__isnull=True, kind="participation"
    )
    return RowMap(
        lambda: dict(valid.order_by("issued_at", "certificate_id").values_list("student_id", "certificate_id")),
        lambda enr: _first_or_missing(valid.filter(student_id=enr).values_list("certificate_id", flat=True)),
        _enrollment_key,
    )
