"""SandboxServer: the sandbox on a real port, in a daemon thread (for tests, benches and `make run`)."""
from __future__ import annotations

import threading
import time

from werkzeug.serving import make_server

from . import create_sandbox
from .state import SandboxState


class SandboxServer:
    """Serve a sandbox app with werkzeug's threaded server; port 0 picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options):
        self.app = create_sandbox(**options)
        self.state: SandboxState = self.app.extensions["sandbox"]
        self._server = make_server(host, port, self.app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None
        self._prerenderer: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash (the API lives at url + "/v1")."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "SandboxServer":
        """Start serving in a daemon thread; returns self for chaining."""
        if self._thread is None:
            # A short poll: stop() waits for the loop to notice, and tests start and stop hundreds of sandboxes.
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="jumpseller-sandbox", daemon=True)
            self._thread.start()
            self._start_prerenderer()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's mode)."""
        self._start_prerenderer()
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._stopping.set()
        self.state.hooks.stop()
        if self._prerenderer is not None:
            self._prerenderer.join(timeout=5)
            self._prerenderer = None
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def _start_prerenderer(self) -> None:
        if self.state.config.prerender and self._prerenderer is None:
            self._prerenderer = threading.Thread(target=self._prerender, name="jumpseller-sandbox-prerender",
                                                 daemon=True)
            self._prerenderer.start()

    def _prerender(self) -> None:
        # Seeded products are built on first request; doing it ahead keeps a cold page of a big
        # catalog as cheap as a warm one. Small batches with pauses leave the lock to requests.
        while not self._stopping.is_set():
            if self.state.registry.prerender_step():
                time.sleep(0.005)  # at most ~1/3 of a core: requests stay fast while it runs
            else:
                self._stopping.wait(0.5)

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
