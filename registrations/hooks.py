"""What the apps above ``registrations`` add to its workflows and reads (docs/ARCHITECTURE.md, "Hooks").

Filled from their ``AppConfig.ready()``, called by ``registrations.services`` and
``registrations.selectors`` with keyword arguments, in the order the apps are installed.
"""

from collections.abc import Callable

# After registrations were cancelled (same transaction, the event locked): ``(event=,
# enrollment_nos=, at=, by=)`` (the user who cancelled, None for the student or a system).
REGISTRATIONS_CANCELLED: list[Callable[..., None]] = []

# What the organizers' roster shows of records kept above registrations: ``(event=, enrollment_nos=)``
# -> ``{enrollment_no: [id, ...]}``, one query whatever the number of students. Each row's
# ``certificate_ids`` are what these return, merged.
ROSTER_CERTIFICATE_IDS: list[Callable[..., dict[str, list[str]]]] = []
