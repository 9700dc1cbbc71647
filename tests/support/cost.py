"""Load-independent cost measures for "this is cheap" claims: CPU time, which a busy machine does not inflate.

Wall-clock limits fail on a loaded 2-core machine although the code did no more work; the CPU seconds this
process spent (the test's thread and the in-process servers' threads alike) stay what the work costs.
"""

import time


class CpuTimer:
    """A `with` block's CPU seconds, summed over every thread of this process, in `.seconds`."""

    def __enter__(self):
        self.seconds = None
        self._started = time.process_time()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.process_time() - self._started
        return False
