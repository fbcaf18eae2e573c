import logging
import os
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from registrations.notifications import Delivery, deliver, schedule_due

logger = logging.getLogger(__name__)

# The worker shares its machine with the web workers: measured in docs/PERFORMANCE.md (section 1),
# a rush of registrations reached 0.576 of the baseline with the worker at their priority and 0.593
# with it 10 lower (medians of twelve and thirteen runs), the emails still out within 1.5 s.
DEFAULT_NICENESS = 10


class Command(BaseCommand):
    help = (
        "Send the emails owed in the outbox: confirmations, waitlist promotions, certificates, cancellations, "
        "announcements; and write the scheduled ones (reminders, registration-opened alerts) as they come due. "
        "Runs until stopped (SIGTERM or Ctrl-C finish the current batch first); --once sends what is due and exits. "
        "Several can run at once: each claims its own rows, and a scheduled email is written once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send everything due now, then exit.")
        parser.add_argument("--batch", type=int, default=100, help="Emails claimed and sent per connection.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when nothing is due (default 1)."
        )
        parser.add_argument(
            "--schedule-every",
            type=float,
            default=60.0,
            help="Seconds between looks for scheduled emails coming due (default 60).",
        )
        parser.add_argument(
            "--niceness",
            type=int,
            default=DEFAULT_NICENESS,
            help=f"The running worker lowers its CPU priority by this much (default {DEFAULT_NICENESS}; 0 keeps "
            "it): during a registration rush on the same machine the requests go first and the emails follow "
            "within about a second. --once keeps its priority.",
        )

    def handle(self, *args, once: bool, batch: int, interval: float, schedule_every: float, niceness: int, **options):
        if niceness and not once and hasattr(os, "nice"):  # the running worker, on Unix; --once keeps its priority
            os.nice(niceness)
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        total = Delivery()
        scheduled, next_schedule = 0, 0.0
        while not self.stopping:
            if not once:
                close_old_connections()  # a long-running worker outlives connections and database restarts
            try:
                if time.monotonic() >= next_schedule:
                    scheduled += schedule_due()
                    next_schedule = float("inf") if once else time.monotonic() + schedule_every
                delivery = deliver(limit=batch)
            except DatabaseError as error:
                if once:
                    raise
                self.stderr.write(f"Database unavailable, retrying in {interval} s: {error}")
                time.sleep(interval)
                continue
            except Exception:
                if once:
                    raise
                logger.exception("Sending notifications failed; retrying in %s s", interval)
                time.sleep(interval)
                continue
            total += delivery
            if delivery.claimed < batch:
                if once:
                    break
                time.sleep(interval)
        self.stdout.write(
            f"Sent {total.sent}, skipped {total.skipped}, to retry {total.retrying}, given up {total.failed}."
        )
        self.stdout.write(f"Scheduled {scheduled} (reminders and other emails that came due).")

    def _stop(self, signum, frame) -> None:
        self.stopping = True
