from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from certificates import emails, integrity, maps, selectors, services
        from events import hooks as event_hooks
        from registrations import hooks as registration_hooks

        event_hooks.EVENT_CHANGE_CHECKS.append(services.event_change_keeps_certificates)
        event_hooks.EVENT_RULE_CHECKS.append(services.event_rule_keeps_certificates)
        registration_hooks.REGISTRATIONS_CANCELLED.append(services.certificates_revoke_cancelled)
        registration_hooks.ROSTER_CERTIFICATE_IDS.append(selectors.certificate_ids_held)
        emails.register()
        integrity.register()
        maps.register()
        selectors.register_event_counts()
        event_hooks.CERTIFICATE_TEMPLATE_CHECKS.append(services.event_certificate_template_problem)
        event_hooks.CERTIFICATE_TEMPLATE_CHOICES.append(services.event_certificate_template_choices)
