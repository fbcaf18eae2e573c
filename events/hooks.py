"""What the apps above ``events`` add to an event's workflows (docs/ARCHITECTURE.md, "Hooks").

``events`` sits below ``registrations`` and ``certificates`` and never imports them. When an
event is edited or cancelled, the services of ``events.services`` call the functions those apps
appended here from their ``AppConfig.ready()``, in the order the apps are installed, with
keyword arguments.
"""

from collections.abc import Callable

# Before an edited event is saved (under its row lock): ``(event=, changed=)`` (the changed field
# names) -> ``{field: [messages]}`` of what the change would break among the rows already made.
EVENT_CHANGE_CHECKS: list[Callable[..., dict[str, list[str]]]] = []

# After an event's attendance rule or sessions were rewritten (same transaction): ``(event=)`` -> a
# message when the new rule breaks something already granted, else None.
EVENT_RULE_CHECKS: list[Callable[..., str | None]] = []

# After the capacity of a locked event changed: ``(event=)`` (the waitlist takes the new seats).
EVENT_CAPACITY_CHANGED: list[Callable[..., object]] = []

# While a locked event is being cancelled, before its status changes: ``(event=)`` (registrants
# are told and released).
EVENT_CANCELLING: list[Callable[..., None]] = []

# When an event is given a certificate template: ``(event=, template_id=)`` -> a message when the
# event may not use it, else None.
CERTIFICATE_TEMPLATE_CHECKS: list[Callable[..., str | None]] = []

# For the event's edit page: ``(event=)`` -> ``[(template id, label)]`` of the templates it may use.
CERTIFICATE_TEMPLATE_CHOICES: list[Callable[..., list[tuple[int, str]]]] = []
