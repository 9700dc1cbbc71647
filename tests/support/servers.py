"""Real PostgreSQL and Redis servers for the scale-out tests, started on loopback in temporary folders.

They come from Debian's packages (`.ci/run` installs them). Without the binaries the tests that need them are
skipped, except under CI, where a missing server is a failure.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest


def free_port():
    """An unused loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _missing(what):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed; .ci/run must install it")
    pytest.skip(f"{what} is not installed")


def _wait_for_port(port, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class PostgresServer:
    """A throwaway PostgreSQL cluster (trust auth on loopback)."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            _missing("PostgreSQL (Debian package postgresql)")
        self.bin = os.path.dirname(bins[-1])
        self.dir = tempfile.mkdtemp(prefix="pg-test-")
        self.port = free_port()
        # PostgreSQL refuses to run as root: run it as the packaged 'postgres' user when we are root.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", self.dir + "/data", "--auth=trust", "-U", "postgres", "--no-sync")
        self._run("pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "start", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c max_connections=200")
        _wait_for_port(self.port)

    def _run(self, tool, *args):
        command = [os.path.join(self.bin, tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def create_database(self):
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        """Stop the server and remove its files."""
        try:
            self._run("pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """A throwaway Redis without persistence."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if not binary:
            _missing("Redis (Debian package redis-server)")
        self.port = free_port()
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        """Stop the server."""
        self.proc.terminate()
        self.proc.wait(timeout=10)
