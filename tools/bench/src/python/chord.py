"""Chord scenario client: builds chord([noop.s() x N], chord_body.s()) and applies it.

argv: <mode> <n> <warmup>
- run: the worker is already running. One no-op round trip (waits up to 30 s for the worker), one warm-up chord
  of WARMUP header tasks, then the timed chord: the N signatures and the chord are built first (not timed), then
  the clock runs from apply_async() until the body's result is stored: a GET of its celery-task-meta key every
  5 ms on a connection of its own, as the harness polls in the drain rows (not result.get(): in Celery 5.2.6
  the client's apply_async() subscribes it to every header task's result, and get() then spends time that
  grows with the square of N draining them: 1,000 header tasks 2.9 s, 2,000 7.4 s, 4,000 30 s on this machine).
  Prints {"seconds": <apply -> body stored>, "apply_seconds": <time in apply_async()>, "value": <body result>}.
- apply: no worker runs yet. Applies the chord and prints {"body_id": ..., "apply_seconds": ...}; the harness
  then starts the worker and watches for the body's result.
"""
import json
import sys
import time

import redis
from celery import chord

from bench_app import app, chord_body, noop

CHORD_TIMEOUT = 280
POLL = 0.005


def build(n):
    return chord([noop.s() for _ in range(n)], chord_body.s())


def wait_stored(client, task_id, timeout):
    """Polls the task's result key every 5 ms until it is stored; returns its result (raises unless SUCCESS)."""
    key = app.backend.get_key_for_task(task_id)
    deadline = time.perf_counter() + timeout
    while True:
        raw = client.get(key)
        if raw is not None:
            meta = json.loads(raw)
            if meta["status"] != "SUCCESS":
                raise SystemExit(f"chord body {task_id} stored {meta['status']}: {meta['result']!r}")
            return meta["result"]
        if time.perf_counter() > deadline:
            raise SystemExit(f"chord body {task_id} not stored within {timeout} s")
        time.sleep(POLL)


def main() -> None:
    mode = sys.argv[1]
    n = int(sys.argv[2])
    warmup = int(sys.argv[3])
    if mode == "apply":
        c = build(n)
        start = time.perf_counter()
        result = c.apply_async()
        applied = time.perf_counter() - start
        print(json.dumps({"body_id": result.id, "apply_seconds": applied}))
        return
    if mode != "run":
        raise SystemExit(f"unknown mode {mode} (run, apply)")
    noop.apply_async().get(timeout=30)
    if warmup > 0:
        value = build(warmup).apply_async().get(timeout=60)
        if value != warmup:
            raise SystemExit(f"warm-up chord returned {value!r}, expected {warmup}")
    poller = redis.Redis.from_url(app.conf.result_backend)
    poller.ping()
    c = build(n)
    start = time.perf_counter()
    result = c.apply_async()
    applied = time.perf_counter() - start
    value = wait_stored(poller, result.id, CHORD_TIMEOUT)
    seconds = time.perf_counter() - start
    if value != n:
        raise SystemExit(f"chord returned {value!r}, expected {n}")
    print(json.dumps({"seconds": seconds, "apply_seconds": applied, "value": value}))


if __name__ == "__main__":
    main()
