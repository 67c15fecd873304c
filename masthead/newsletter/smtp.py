"""Django's SMTP backend with a commit point just before the message's final dot.

An SMTP server takes responsibility for a message only when it has read the line
"." that ends DATA. Everything before it can be dropped by closing the
connection. So the newsletter records a delivery as sent right before writing
that line: a sender killed any earlier leaves the row unsent (and the server
discards the partial message), and the only window left is the few microseconds
between the database commit and one socket write.
"""

import re
import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class ClaimLost(Exception):
    """Another sender owns the delivery now; this copy must not go out."""


class DeliveryUncertain(Exception):
    """The final dot went out but no reply came: the server may have the message."""


class EmailBackend(DjangoSMTPBackend):
    def send_at_commit_point(self, message, commit) -> None:
        """Send one message; `commit()` runs before the final dot and may refuse.

        Raises smtplib's exceptions as smtplib.sendmail would, and ClaimLost
        (after closing the connection, which discards the message) when
        `commit()` returns False.
        """
        if self.connection is None:
            self.open()
            # The final dot is a separate tiny write; with Nagle's algorithm it
            # would wait for the server's delayed ACK, 40 ms per mail.
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = self.connection
        encoding = message.encoding or "utf-8"
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(a, encoding) for a in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")

        connection.ehlo_or_helo_if_needed()
        code, reply = connection.mail(sender)
        if code != 250:
            self._reset(connection)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            self._reset(connection)
            raise smtplib.SMTPRecipientsRefused(refused)
        # nosemgrep: mail-built-outside-django -- Django's EmailMessage.message() bytes
        connection.putcmd("data")
        code, reply = connection.getreply()
        if code != 354:
            self._reset(connection)
            raise smtplib.SMTPDataError(code, reply)
        body = _LEADING_DOT.sub(b"..", data)
        if not body.endswith(CRLF):
            body += CRLF
        connection.send(body)
        if not commit():
            self.abandon()
            raise ClaimLost
        connection.send(b"." + CRLF)
        try:
            code, reply = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.abandon()
            raise DeliveryUncertain(str(exc)) from exc
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def abandon(self) -> None:
        # Mid-DATA, QUIT would be read as part of the message: drop the socket.
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    @staticmethod
    def _reset(connection) -> None:
        try:
            connection.rset()
        except smtplib.SMTPServerDisconnected:
            pass
