"""An in-memory email backend that also counts the connections opened, to check bulk sends share one."""

from django.core.mail.backends.locmem import EmailBackend

opened: list[int] = []


class ConnectionCountingBackend(EmailBackend):
    def open(self):
        opened.append(1)
        return super().open()


class RefusingBackend(EmailBackend):
    """A mail server that is down: the connection is refused."""

    def open(self):
        raise ConnectionRefusedError("Connection refused by the mail server")


class RejectingBackend(EmailBackend):
    """A mail server that takes the connection but rejects messages to one address."""

    rejected = "bounce@college.example"

    def send_messages(self, messages):
        if any(self.rejected in message.to for message in messages):
            raise OSError(f"550 mailbox unavailable: {self.rejected}")
        return super().send_messages(messages)
