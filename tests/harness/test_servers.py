"""The one server helper: serve() starts, waits for the port, and stops at the end of the fixture's scope."""

import socket

import pytest
import requests

from ..support.servers import LiveServer, free_port, serve, wait_for_port


class FakeRequest:
    """The part of pytest's FixtureRequest that serve() uses."""

    def __init__(self):
        self.finalizers = []

    def addfinalizer(self, finalizer):
        self.finalizers.append(finalizer)


class Listener:
    """A server that only listens, recording start and stop."""

    def __init__(self):
        self.port = free_port()
        self.sock = None
        self.events = []

    def start(self):
        self.sock = socket.create_server(("127.0.0.1", self.port))
        self.events.append("start")
        return self

    def stop(self):
        self.sock.close()
        self.events.append("stop")


def test_serve_starts_waits_and_registers_the_stop():
    request, server = FakeRequest(), Listener()
    assert serve(request, server) is server
    assert server.events == ["start"]
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
    for finalizer in request.finalizers:
        finalizer()
    assert server.events == ["start", "stop"]


def test_serve_stops_a_server_whose_port_never_answers():
    request, server = FakeRequest(), Listener()
    server.start = lambda: server.events.append("start")       # starts, but never listens
    server.stop = lambda: server.events.append("stop")
    with pytest.raises(RuntimeError, match="nothing listens"):
        serve(request, server, timeout=0.2)
    for finalizer in request.finalizers:
        finalizer()
    assert server.events == ["start", "stop"]


def test_wait_for_port_gives_up_after_its_timeout():
    with pytest.raises(RuntimeError, match=r"nothing listens on 127\.0\.0\.1:\d+ after 0 s"):
        wait_for_port(free_port(), timeout=0.1)


def test_live_server_serves_then_releases_its_port():
    def hello(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello"]

    request = FakeRequest()
    server = serve(request, LiveServer(hello))
    assert requests.get(server.url, timeout=10).text == "hello"
    for finalizer in request.finalizers:
        finalizer()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


def test_the_sandbox_fixture_is_served(sandbox):
    assert requests.get(sandbox.url + "/_sandbox/stats", timeout=10).status_code == 200
