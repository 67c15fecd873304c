"""Exactly N beacons from N distinct simulated readers, over keep-alive sockets.

An asyncio client with a fixed number of connections, spread by the kernel
over both app processes. A request whose connection closed before any answer
came is sent again on a new connection: the same reader on the same article
is de-duplicated by the app, so a resend can never count twice.
"""

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .sites import BROWSER_UA


@dataclass
class FloodResult:
    sent: int  # distinct readers whose beacon was answered 204
    failed: int  # answered with another status, or never answered
    resent: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def reader_ip(n: int) -> str:
    """The n-th simulated reader: 172.16.0.0/12, apart from wrk's 10-60.x.x.x."""
    return f"172.{16 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


def beacon_request(host: str, page_id: int, ip: str) -> bytes:
    body = b"r="
    return (
        f"POST /views/{page_id}/ HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        f"User-Agent: {BROWSER_UA}\r\n"
        f"Origin: http://{host}\r\n"
        "Sec-Fetch-Site: same-origin\r\n"
        f"X-Forwarded-For: {ip}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, server keeps the connection open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, keep_alive = 0, lines[0].startswith("HTTP/1.1")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            keep_alive = value != "close"
    if length:
        await reader.readexactly(length)
    return status, keep_alive


async def _flood(url: str, page_ids: list[int], count: int, connections: int):
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port
    queue = iter(range(count))
    tally = {"sent": 0, "failed": 0, "resent": 0}

    async def connection_loop():
        reader = writer = None
        for n in queue:
            request = beacon_request(
                f"{host}:{port}", page_ids[n % len(page_ids)], reader_ip(n)
            )
            for attempt in range(3):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                    writer.write(request)
                    status, keep_alive = await asyncio.wait_for(
                        _read_response(reader), timeout=30
                    )
                except (OSError, asyncio.IncompleteReadError, TimeoutError):
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    if attempt < 2:
                        tally["resent"] += 1
                        continue
                    tally["failed"] += 1
                    break
                tally["sent" if status == 204 else "failed"] += 1
                if not keep_alive:
                    writer.close()
                    reader = writer = None
                break
        if writer is not None:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection_loop() for _ in range(connections)))
    return FloodResult(seconds=time.monotonic() - started, **tally)


def flood(
    url: str, page_ids: list[int], count: int, connections: int = 32
) -> FloodResult:
    """Send `count` beacons, reader n to article page_ids[n % len], and wait."""
    return asyncio.run(_flood(url, page_ids, count, connections))
