"""Run the Huey consumer for the app: its worker threads, and a scheduler that beats every few seconds."""

import logging

from huey.consumer import Consumer, Scheduler

from ..extensions import queue


def run(app):
    """Consume jobs until SIGINT (finish running jobs first) or SIGTERM (stop now)."""
    seconds = app.config["JOBS_HEARTBEAT_SECONDS"]

    class HeartbeatScheduler(Scheduler):
        # Huey checks periodic jobs once a minute; the heartbeat wants a shorter beat.
        periodic_task_seconds = seconds

    class AppConsumer(Consumer):
        scheduler_class = HeartbeatScheduler

    logging.getLogger("huey").setLevel(app.config["LOG_LEVEL"])
    # An idle worker polls SQLite at most every 2 s (Huey waits up to 10): a click is picked up promptly.
    consumer = AppConsumer(queue, workers=app.config["JOBS_WORKERS"], worker_type="thread", periodic=True,
                           max_delay=2.0)
    consumer.run()
