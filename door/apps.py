from django.apps import AppConfig


class DoorConfig(AppConfig):
    name = "door"
    verbose_name = "The door (check-in scanner)"
