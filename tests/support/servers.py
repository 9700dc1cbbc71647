"""Every server the tests start, and the one helper that starts them: the sandbox, the live app, PostgreSQL, Redis.

Each server has start(), stop() and port; `serve` starts one, waits until its port answers and stops it when the
requesting fixture's scope ends. PostgreSQL and Redis come from Debian's packages (see system.py): without them
the tests needing them are skipped, or fail in strict mode.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid

from werkzeug.serving import make_server

from . import system

# Only bounds a hang: a loaded machine may take long to start a server, and waiting costs nothing when it is fast.
STARTUP_TIMEOUT = 60.0


def free_port():
    """An unused loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, *, host="127.0.0.1", timeout=STARTUP_TIMEOUT):
    """Return once something accepts connections on the port; RuntimeError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on {host}:{port} after {timeout:.0f} s") from None
            time.sleep(0.05)


def serve(request, server, *, timeout=STARTUP_TIMEOUT):
    """Start `server`, stop it when `request`'s scope ends, and return it once its port answers."""
    server.start()
    request.addfinalizer(server.stop)
    wait_for_port(server.port, timeout=timeout)
    return server


class LiveServer:
    """Serve a WSGI app on a real loopback port from a daemon thread."""

    def __init__(self, app, host="localhost"):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        # A short poll: stop() waits for the serving loop to notice (0.5 s by default, for every test).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def start(self):
        """Serve in the background; returns self."""
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and release the port."""
        self._server.shutdown()
        self._thread.join(timeout=STARTUP_TIMEOUT)
        self._server.server_close()


class PostgresServer:
    """A throwaway PostgreSQL cluster (trust auth on loopback) in a temporary folder."""

    def __init__(self):
        self.bin = None
        self.dir = None
        self.port = None
        # PostgreSQL refuses to run as root: run it as the packaged 'postgres' user when we are root.
        self.user = "postgres" if os.geteuid() == 0 else None

    def start(self):
        """initdb and start; skips (or fails, in strict mode) without PostgreSQL."""
        self.bin = os.path.dirname(system.require("postgresql"))
        self.dir = tempfile.mkdtemp(prefix="pg-test-")
        self.port = free_port()
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        try:
            self._run("initdb", "-D", self.dir + "/data", "--auth=trust", "-U", "postgres", "--no-sync")
            self._run("pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w",
                      "-t", str(int(STARTUP_TIMEOUT)), "start", "-o",
                      f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                      "-c max_connections=200")
        except BaseException:
            self.stop()
            raise
        return self

    def _run(self, tool, *args):
        command = [os.path.join(self.bin, tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=2 * STARTUP_TIMEOUT)

    def create_database(self):
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        """Stop the server (if it runs) and remove its files."""
        if self.dir is None:
            return
        try:
            if os.path.exists(self.dir + "/data/postmaster.pid"):
                self._run("pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


class RedisServer:
    """A throwaway Redis without persistence."""

    def __init__(self):
        self.port = None
        self.url = None
        self.proc = None

    def start(self):
        """Start redis-server; skips (or fails, in strict mode) without Redis."""
        binary = system.require("redis")
        self.port = free_port()
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        return self

    def stop(self):
        """Stop the server."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=STARTUP_TIMEOUT)
            self.proc = None
