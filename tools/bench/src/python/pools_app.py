"""The Celery app of the pool benchmarks (`bench:pools`): the same tasks as `src/pools/pools-app.ts`, by the same names.

POOLS_BENCH_REDIS  broker and result backend (redis://127.0.0.1:6379/7)
"""
import os
import time

from celery import Celery

url = os.environ.get("POOLS_BENCH_REDIS") or "redis://127.0.0.1:6379/7"

app = Celery("pools-bench", broker=url, backend=url)
app.conf.update(
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


@app.task(name="pb.cpu")
def cpu(ms):
    """Computes for `ms` milliseconds (a busy loop, as the q task)."""
    end = time.perf_counter() + ms / 1000
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n > 0


@app.task(name="pb.noop")
def noop():
    return None
