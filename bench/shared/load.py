"""The load client: one thread driving `concurrency` keep-alive connections with pre-built request bytes.

A client costs CPU on the same cores as the server it measures. http.client in threads spends ~0.25 ms of CPU per
request here (header objects, the GIL passed between threads); writing pre-encoded bytes and reading the answer
with a selector costs a fraction of that, so the figures say more about the server and less about the client.
"""

import selectors
import socket
import time
from dataclasses import dataclass

# Only bounds a hang: a worker still booting on a loaded machine may take several seconds to answer first.
STALL_SECONDS = 60.0
_READ = 256 * 1024


@dataclass(frozen=True)
class Request:
    """One request of a load run."""

    method: str
    path: str
    headers: dict
    body: bytes | None = None

    def wire(self, port):
        """The request as bytes on a keep-alive HTTP/1.1 connection."""
        body = self.body or b""
        head = [f"{self.method} {self.path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
                *(f"{name}: {value}" for name, value in self.headers.items())]
        if body or self.method not in ("GET", "HEAD"):
            head.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class _Answer:
    """An HTTP/1.1 response read incrementally: status, body, whether the server closes the connection."""

    def __init__(self):
        self.buffer = bytearray()
        self.status = None
        self.length = None          # body bytes expected; None: chunked or until close
        self.chunked = False
        self.close = False
        self.body_at = None

    def feed(self, data):
        """Add received bytes; returns whether the response is complete (b"" means the server closed)."""
        if not data:
            if self.body_at is not None and self.length is None and not self.chunked:
                return True
            raise ConnectionError("the server closed the connection mid-response")
        self.buffer += data
        if self.body_at is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return False
            self._head(bytes(self.buffer[:end]).decode("latin-1"))
            self.body_at = end + 4
        if self.length is not None:
            return len(self.buffer) - self.body_at >= self.length
        return self.chunked and self.buffer.endswith(b"0\r\n\r\n")

    def _head(self, head):
        lines = head.split("\r\n")
        self.status = int(lines[0].split(" ", 2)[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                self.length = int(value)
            elif name == "transfer-encoding":
                self.chunked = "chunked" in value
            elif name == "connection":
                self.close = value == "close"

    @property
    def body(self):
        body = bytes(self.buffer[self.body_at:])
        return body if not self.chunked else _dechunk(body)


def _dechunk(data):
    out, at = bytearray(), 0
    while True:
        end = data.index(b"\r\n", at)
        size = int(data[at:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2:end + 2 + size]
        at = end + 4 + size


class _Connection:
    """One keep-alive connection of the client, with the request it has in flight."""

    def __init__(self, port, selector):
        self.port, self.selector = port, selector
        self.sock = None
        self.answer = self.started = None

    def open(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.selector.register(self.sock, selectors.EVENT_READ, self)

    def shut(self):
        if self.sock is not None:
            self.selector.unregister(self.sock)
            self.sock.close()
            self.sock = None

    def send(self, wire):
        if self.sock is None:
            self.open()
        self.answer, self.started = _Answer(), time.perf_counter()
        self.sock.sendall(wire)


def load(port, requests, *, concurrency, seconds, expect=None, ok=(200,)):
    """Send `requests` (an iterable, taken in order by `concurrency` keep-alive connections) until it runs out or
    `seconds` pass; returns (requests per second, latencies in seconds, responses by status)."""
    wires = [request.wire(port) for request in requests]            # built before the clock starts
    latencies, statuses, failures = [], {}, []
    selector = selectors.DefaultSelector()
    connections = [_Connection(port, selector) for _ in range(concurrency)]
    started = time.perf_counter()
    deadline, sent = started + seconds, 0
    try:
        for connection in connections[:len(wires)]:
            connection.send(wires[sent])
            sent += 1
        busy = min(concurrency, len(wires))
        while busy:
            events = selector.select(timeout=STALL_SECONDS)
            if not events:
                raise RuntimeError(f"no answer for {STALL_SECONDS:.0f} s ({len(latencies)} answered)")
            for key, _ in events:
                connection = key.data
                if not connection.answer.feed(connection.sock.recv(_READ)):
                    continue
                answer = connection.answer
                latencies.append(time.perf_counter() - connection.started)
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
                if answer.status not in ok or (expect and expect not in answer.body):
                    failures.append(answer.status)
                if answer.close:
                    connection.shut()
                if sent < len(wires) and time.perf_counter() < deadline:
                    connection.send(wires[sent])
                    sent += 1
                else:
                    connection.shut()
                    busy -= 1
    finally:
        for connection in connections:
            connection.shut()
        selector.close()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} bad responses (e.g. {failures[0]}); by status: {statuses}")
    return len(latencies) / elapsed, latencies, statuses
