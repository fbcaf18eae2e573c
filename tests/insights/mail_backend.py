"""An in-memory email backend that also counts the connections opened, to check bulk sends share one."""

from django.core.mail.backends.locmem import EmailBackend

opened: list[int] = []


class ConnectionCountingBackend(EmailBackend):
    def open(self):
        opened.append(1)
        return super().open()
