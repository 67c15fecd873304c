"""A small asyncio HTTP/1.1 client for load that must be counted exactly.

wrk measures rates; when every request must be accounted for (each comment
stored once, each view counted once, even while a server dies) the bench
sends them itself and waits for every answer.
"""

import asyncio

from .sites import BROWSER_UA


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closes."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, method, path, headers=None, body=b"") -> int:
        """The answer's status; 599 when no answer came (counted as a 5xx)."""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"User-Agent: {BROWSER_UA}",
            "Accept-Encoding: gzip",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(
                    self.host, self.port
                )
            self.writer.write(request)
            status, keep_alive = await asyncio.wait_for(self._response(), timeout=30)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            self.close()
            return 599
        if not keep_alive:
            self.close()
        return status

    async def _response(self) -> tuple[int, bool]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)  # the chunk and its CRLF
                if size == 0:
                    break
        elif length := int(headers.get("content-length", "0")):
            await self.reader.readexactly(length)
        return status, headers.get("connection") != "close"
