from django.apps import AppConfig


class LegacyConfig(AppConfig):
    """The legacy MongoDB system's data: the migration in, the exporter and the V1 API out.

    The top layer: it may import every domain app; nothing imports it but the URL conf."""

    name = "legacy"
    verbose_name = "Legacy migration"
