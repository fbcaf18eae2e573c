from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = "Students and registrations"

    def ready(self) -> None:
        from events import hooks
        from registrations import services

        hooks.change_conflicts.append(services.event_change_conflicts)
        hooks.changed.append(services.event_changed)
        hooks.cancelling.append(services.event_cancelling)
