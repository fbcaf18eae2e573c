"""The codec between the legacy MongoDB documents and the new rows.

- ``decode``: one legacy event document to rows (``EventDecoder``), with ``event`` (the
  event's own fields), ``resolve`` (drafts to rows) and ``rules`` (history against today's
  rules, reported as warnings);
- ``encode``: rows back to the first legacy shape (``event_to_legacy``);
- ``values`` (Extended JSON, dates, derived ids), ``rows`` (the row records and problems),
  ``drafts`` (records as read, before the event resolves them).

History is taken as it was: the rules for new actions are not applied, what breaks them is
reported as a warning. Only what the schema cannot hold is dropped, always the smallest unit
(a bad rating drops that feedback, not its registration).
"""
