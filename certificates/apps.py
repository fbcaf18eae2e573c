from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from certificates.services import record_snapshot_seal
        from registrations import record_pdf

        record_pdf.RECORD_SEALERS.append(record_snapshot_seal)
