"""CPU seconds spent by processes, read from /proc (Linux): what a run cost, whatever else loads the machine.

Requests per second on a shared machine move with everybody else's load; CPU per request much less, so the
benchmarks report both.
"""

import os

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """The fields of /proc/<pid>/stat after the command name, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def tree(pid):
    """`pid` and its descendants (gunicorn's master and workers, a database server and its backends)."""
    parents = {}
    for entry in os.listdir("/proc"):
        fields = entry.isdigit() and _stat(entry)
        if fields:
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def seconds(pids):
    """User + system CPU seconds of these processes so far (the gone ones count 0)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def machine_busy():
    """(busy jiffies, all jiffies) of the whole machine so far; two readings give the busy share between them."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)
