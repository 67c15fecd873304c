"""Servers on loopback that take a connection and then hang, for fault tests.

`SilentServer` accepts every connection and never sends a byte: a mail server
or payment API whose process is stuck. `SlowSMTPServer` greets promptly, then
answers each command only after `delay` seconds: an overloaded mail server.
Both count the connections they took, so a test can show that a request never
reached them at all.
"""

import socket
import threading
import time


class SilentServer:
    """`with SilentServer() as server:` listens on server.port until the block ends."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._listener.close()
        for held in self._held:
            held.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by __exit__
            self.connections += 1
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        self._held.append(conn)  # kept open, never answered


class SlowSMTPServer(SilentServer):
    """Says 220 at once, then takes `delay` seconds over every later answer."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    def _handle(self, conn: socket.socket) -> None:
        self._held.append(conn)
        threading.Thread(target=self._converse, args=(conn,), daemon=True).start()

    def _converse(self, conn: socket.socket) -> None:
        try:
            conn.sendall(b"220 slow.example ESMTP\r\n")
            reader = conn.makefile("rb")
            for line in reader:
                if self._stopping.wait(self.delay):
                    return
                verb = line[:4].upper()
                if verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                conn.sendall(b"354 go on\r\n" if verb == b"DATA" else b"250 ok\r\n")
        except OSError:
            return  # the client gave up, as it should


def elapsed(since: float) -> float:
    return time.monotonic() - since
