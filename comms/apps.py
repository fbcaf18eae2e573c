from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "comms"
    verbose_name = "Talking to students"

    def ready(self) -> None:
        from comms import emails

        emails.register()
