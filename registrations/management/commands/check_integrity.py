from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from registrations.integrity import integrity_problems


class Command(BaseCommand):
    help = (
        "Check the stored registrations, teams, attendance, feedback and certificates against the domain rules; "
        "exits non-zero when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--event", dest="event_ids", action="append", metavar="EVENT_ID", help="Only this event (repeatable)."
        )

    def handle(self, *args, event_ids: list[str] | None = None, **options):
        if event_ids:
            known = set(Event.objects.filter(pk__in=event_ids).values_list("pk", flat=True))
            unknown = [event_id for event_id in event_ids if event_id not in known]
            if unknown:
                raise CommandError(f"No such event: {', '.join(unknown)}.")
            checked = len(known)
        else:
            checked = Event.objects.count()
        problems = integrity_problems(event_ids or None)
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} integrity problem(s) in {checked} event(s) checked.")
        self.stdout.write(self.style.SUCCESS(f"No integrity problems in {checked} event(s)."))
