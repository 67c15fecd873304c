"""A real SMTP server on loopback for tests and the benchmark (aiosmtpd).

In a test: `with running_sink() as sink:` gives a server in a thread whose
`sink.messages` are the parsed mails. As a process (the benchmark, the
kill-and-resume test): `python -m masthead.newsletter.tests.smtp_sink --port N
--log FILE` writes one line per accepted mail, "recipient<TAB>Message-ID", so
another process can count what arrived.
"""

import argparse
import email
import email.policy
import signal
import socket
import sys
import threading
from contextlib import contextmanager

from aiosmtpd.controller import Controller

# Recipients whose local part starts with this are refused with 550 (a hard
# bounce at RCPT time, as a real server answers for an unknown mailbox).
REFUSE_PREFIX = "bounce"
# Recipients whose local part starts with this are refused for now with 451, as a
# greylisting server answers a sender it has not seen, while `greylisting` is set.
GREYLIST_PREFIX = "greylisted"


class SinkHandler:
    def __init__(self, log=None):
        self.messages = []
        self.log = log
        self.lock = threading.Lock()
        self.greylisting = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith(REFUSE_PREFIX):
            return "550 5.1.1 No such mailbox"
        if self.greylisting and address.lower().startswith(GREYLIST_PREFIX):
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.log is not None:
            message_id = _header(envelope.content, b"message-id")
            for rcpt in envelope.rcpt_tos:
                self.log.write(f"{rcpt}\t{message_id}\n")
        else:
            parsed = email.message_from_bytes(
                envelope.content, policy=email.policy.default
            )
            with self.lock:
                self.messages.append(parsed)
        return "250 Message accepted for delivery"


def _header(content: bytes, name: bytes) -> str:
    # Reading one header without parsing the whole mail keeps the sink fast.
    for line in content.split(b"\r\n", 64):
        if not line:
            break
        key, _, value = line.partition(b":")
        if key.lower() == name:
            return value.strip().decode(errors="replace")
    return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningSink:
    def __init__(self, handler: SinkHandler, port: int):
        self.handler = handler
        self.port = port

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def settings(self) -> dict:
        """override_settings(**sink.settings()) points Django's mail at the sink."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": 10,
        }


@contextmanager
def running_sink():
    handler = SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield RunningSink(handler, port)
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    with open(args.log, "a", buffering=1) as log:
        controller = Controller(
            SinkHandler(log), hostname="127.0.0.1", port=args.port, ready_timeout=10
        )
        controller.start()
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        sys.stdout.write(f"smtp sink listening on 127.0.0.1:{args.port}\n")
        sys.stdout.flush()
        stopped.wait()
        controller.stop()


if __name__ == "__main__":
    main()
