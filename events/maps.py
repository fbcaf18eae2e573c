"""The enrollment-keyed maps of an event: read-only views over the rows.

Each map loads in one indexed query when iterated, counted or converted with
``dict()``; a single-key lookup (``event.registrations["22CSE30001"]``,
``"22CSE30001" in event.attendances``) is one indexed query of its own and does
not load the rest. Nothing here is stored: every fact lives in its row.

The apps that hold the rows (``registrations``, ``certificates``) register each map's loader by
name with ``register_map`` from their ``AppConfig.ready()``; ``Event`` reads them with ``event_map``.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

MISSING = object()


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
        if value is MISSING:
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


def enrollment_key(key: str) -> str:
    return key.strip().upper()


def team_name_key(name: str) -> str:
    """Team names are stored with single spaces and compared without case, as the services store them."""
    return " ".join(name.split()).lower()


def first_or_missing(values) -> Any:
    rows = list(values[:1])
    return rows[0] if rows else MISSING


def id_per_student(rows, id_field: str, *order: str) -> RowMap:
    """``{enrollment_no: id}`` of a queryset with one row a student (``student_id``), in ``order``;
    a single-key lookup reads only that student's row."""
    return RowMap(
        lambda: dict(rows.order_by(*order).values_list("student_id", id_field)),
        lambda enr: first_or_missing(rows.filter(student_id=enr).values_list(id_field, flat=True)),
        enrollment_key,
    )


_maps: dict[str, Callable[[str], RowMap]] = {}


def register_map(name: str, build: Callable[[str], RowMap]) -> None:
    _maps[name] = build


def event_map(name: str, event_pk: str) -> RowMap:
    return _maps[name](event_pk)
