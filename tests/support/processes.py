"""Worker processes that must start together: each prints "ready" once set up, then waits for "go" on stdin.

A start time a few seconds ahead fails on a busy machine, where a process may take longer than that to import
and set up; a handshake waits as long as start-up takes and still releases every process at the same moment.
Workers call ready_then_wait(); the test calls start_together() and finish().
"""

import subprocess
import sys
import time

# Only bounds a hang: on a loaded machine start-up and the work itself may take long.
HANG_TIMEOUT = 200


def ready_then_wait():
    """In a worker: say it is ready, and return when the test says go."""
    print("ready", flush=True)
    sys.stdin.readline()


def start_together(commands, **popen_options):
    """Start every command, wait until each is ready, then tell all to go; returns (processes, time of the go)."""
    procs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, **popen_options) for command in commands]
    greetings = [proc.stdout.readline() for proc in procs]
    go = time.time()
    for proc in procs:
        try:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        except BrokenPipeError:
            pass                                 # it died before being ready: finish() shows its stderr
    for proc, greeting in zip(procs, greetings):
        proc.greeting = greeting
    return procs, go


def finish(procs, timeout=HANG_TIMEOUT + 30):
    """Wait for every process (longer than a worker's own hang bound, so its stack dump arrives); asserts each
    was ready and exited 0; returns their stdout."""
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0 and proc.greeting == "ready\n", proc.greeting + out + err
        outputs.append(out)
    return outputs
