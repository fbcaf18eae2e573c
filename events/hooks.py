"""How the apps above ``events`` take part in an event's changes without ``events`` importing them.

Each list is filled by a higher app's ``AppConfig.ready()`` (registrations, then certificates, in
``INSTALLED_APPS`` order) and called by ``events.services`` inside the change's transaction, with
the event's row lock held.
"""

from collections.abc import Callable

from events.models import Event

# ``(event, changed_fields) -> {field: [message]}``: what the change would break of what is already accepted.
change_conflicts: list[Callable[[Event, set[str]], dict[str, list[str]]]] = []
# ``(event, changed_fields)``: after the change is saved.
changed: list[Callable[[Event, set[str]], None]] = []
# ``(event)``: before the event is marked cancelled.
cancelling: list[Callable[[Event], None]] = []
