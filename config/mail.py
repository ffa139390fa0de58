"""Email backends of the project."""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ReadableConsoleBackend(DjangoConsoleBackend):
    """Print emails decoded, so links in development can be clicked as they are.

    Django's console backend prints the raw MIME message, where quoted-printable
    encoding breaks long links across lines.
    """

    def write_message(self, message):
        lines = [
            f"Subject: {message.subject}",
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            "",
            message.body,
        ]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
