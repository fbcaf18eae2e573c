from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = "Students and registrations"

    def ready(self) -> None:
        from events import hooks
        from eventsite import health
        from registrations import maps, selectors, services

        hooks.EVENT_CHANGE_CHECKS.append(services.event_change_fits_registrations)
        hooks.EVENT_CAPACITY_CHANGED.append(services.waitlist_promote)
        hooks.EVENT_CANCELLING.append(services.event_registrations_cancel)
        health.register_outbox_backlog(selectors.notification_backlog)
        maps.register()
        selectors.register_event_counts()
