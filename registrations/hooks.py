"""What the apps above ``registrations`` add to its workflows (docs/ARCHITECTURE.md, "Hooks").

Filled from their ``AppConfig.ready()``, called by ``registrations.services`` with keyword
arguments, in the order the apps are installed.
"""

from collections.abc import Callable

# After registrations were cancelled (same transaction, the event locked): ``(event=,
# enrollment_nos=, at=, by=)`` (the user who cancelled, None for the student or a system).
REGISTRATIONS_CANCELLED: list[Callable[..., None]] = []
