"""The Celery app of the events benchmark (`bench:events`): the no-op task of `src/events/events-app.ts`, by the same
name, and no result backend (the main bench's drain with results off).

EVENTS_BENCH_REDIS  the broker (redis://127.0.0.1:6379/7)
"""
import os

from celery import Celery

url = os.environ.get("EVENTS_BENCH_REDIS") or "redis://127.0.0.1:6379/7"

app = Celery("events-bench", broker=url)
app.conf.update(
    # As the main bench's bench_app.py: remote control (pidbox fanout) off, Celery's logging left alone.
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


@app.task(name="eb.noop")
def noop():
    return None
