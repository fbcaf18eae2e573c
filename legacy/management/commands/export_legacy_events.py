"""Write events in the legacy document shape (JSONL), for systems that still read it.

python manage.py export_legacy_events out.jsonl [--event EVENT_ID ...]
"""

from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from legacy.exporter import export_events


class Command(BaseCommand):
    help = "Export events in the legacy MongoDB document shape, one JSON document per line."

    def add_arguments(self, parser):
        parser.add_argument("out", help="the JSONL file to write")
        parser.add_argument(
            "--event", action="extend", nargs="+", dest="events", help="event ids (repeatable); default all events"
        )

    def handle(self, *args, **options):
        wanted = options["events"] or []
        missing = sorted(set(wanted) - set(Event.objects.filter(pk__in=wanted).values_list("pk", flat=True)))
        if missing:
            raise CommandError(f"No event {', '.join(missing)}.")
        try:
            written = export_events(options["out"], event_ids=wanted or None)
        except OSError as exc:
            raise CommandError(f"Cannot write {options['out']}: {exc.strerror or exc}") from exc
        self.stdout.write(f"Wrote {written} event(s) to {options['out']}.")
