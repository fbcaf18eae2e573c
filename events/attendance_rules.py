"""An event's attendance rule as plain facts: its kind, its numbers and its sessions in order.

``certificates.eligibility`` evaluates a student against these facts; the event services and
pages read what the rule asks (``RuleFacts.required``, ``describe``, ``as_json``) from here.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from events.models import Event, EventSession

Rule = Event.AttendanceRule


@dataclass(frozen=True)
class SessionFact:
    pk: int | str  # a session row's key (its code in legacy data)
    code: str
    title: str
    mandatory: bool = False

    @property
    def name(self) -> str:
        return self.title or self.code


@dataclass(frozen=True)
class RuleFacts:
    """An event's rule with what it needs of the event: its sessions in order."""

    kind: str = Rule.MIN_SESSIONS
    n: int = 1
    percent: int = 100
    requires_feedback: bool = False
    sessions: tuple[SessionFact, ...] = ()

    @property
    def total(self) -> int:
        return len(self.sessions)

    @property
    def mandatory_sessions(self) -> tuple[SessionFact, ...]:
        return tuple(s for s in self.sessions if s.mandatory) if self.kind == Rule.MANDATORY else ()

    @property
    def required(self) -> int:
        """How many sessions a student must attend (never fewer than one)."""
        if self.kind == Rule.ALL:
            return max(self.total, 1)
        if self.kind == Rule.PERCENTAGE:
            return max(-(-self.percent * self.total // 100), 1)
        if self.kind == Rule.MANDATORY:
            return max(self.n, len(self.mandatory_sessions), 1)
        return max(self.n, 1)

    def as_json(self) -> dict:
        """The API's ``attendance_rule``."""
        if self.kind == Rule.PERCENTAGE:
            return {"kind": self.kind, "percent": self.percent}
        if self.kind == Rule.ALL:
            return {"kind": self.kind}
        if self.kind == Rule.MANDATORY:
            return {"kind": self.kind, "sessions": [s.code for s in self.mandatory_sessions], "min_sessions": self.n}
        return {"kind": Rule.MIN_SESSIONS, "n": self.n}

    def describe(self) -> str:
        """The rule in a sentence."""
        if self.kind == Rule.ALL:
            text = "Attend every session"
        elif self.kind == Rule.PERCENTAGE:
            text = f"Attend {self.percent}% of the sessions ({sessions_text(self.required)})"
        elif self.kind == Rule.MANDATORY:
            names = names_text(self.mandatory_sessions)
            at_least = sessions_text(self.required)
            text = f"Attend {names} and at least {at_least} in all" if names else f"Attend at least {at_least}"
        else:
            text = f"Attend at least {sessions_text(self.required)}"
        return text + (", then give feedback" if self.requires_feedback else "")


def sessions_text(n: int) -> str:
    return f"{n} session{'s' if n != 1 else ''}"


def names_text(sessions: Iterable[SessionFact]) -> str:
    names = [f"\u201c{s.name}\u201d" for s in sessions]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rule_of(event: Event, sessions: Iterable[EventSession] | None = None) -> RuleFacts:
    """The event's rule; reads its sessions (one query) unless given or prefetched."""
    if sessions is None:
        sessions = event.sessions.all()
    ordered = sorted(sessions, key=lambda s: (s.position, s.pk))
    return RuleFacts(
        kind=event.attendance_rule_kind,
        n=event.min_sessions_for_certificate,
        percent=event.attendance_percent,
        requires_feedback=event.certificate_requires_feedback,
        sessions=tuple(SessionFact(s.pk, s.code, s.title, s.mandatory) for s in ordered),
    )
