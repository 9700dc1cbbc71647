"""When a failed delivery is tried again: after N⁴ minutes (Jumpseller's schedule), times `hook_time_scale`."""
from __future__ import annotations

RETRIES = 4   # "Retries up to 4 times" after the first attempt


def retry_delay(failed_attempts: int, scale: float) -> float:
    """Seconds of sandbox time before the next attempt, after `failed_attempts` failures."""
    return failed_attempts ** 4 * 60.0 * scale


def gives_up(failed_attempts: int) -> bool:
    """Whether a delivery has used its first attempt and every retry."""
    return failed_attempts > RETRIES
