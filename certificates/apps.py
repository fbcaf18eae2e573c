from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from certificates import services
        from events import hooks

        hooks.change_conflicts.append(services.event_change_conflicts)
