"""Enqueue scenario client: sends one warm-up task, then N no-op tasks with apply_async in a loop.

Prints one JSON line: {"count": N, "seconds": <time of the N calls>}.
With N = 0 it sends only the warm-up message (the template the harness copies for drain scenarios).
"""
import json
import sys
import time

from bench_app import noop


def main() -> None:
    n = int(sys.argv[1])
    noop.apply_async()  # connects and declares; not timed
    start = time.perf_counter()
    for _ in range(n):
        noop.apply_async()
    seconds = time.perf_counter() - start
    print(json.dumps({"count": n, "seconds": seconds}))


if __name__ == "__main__":
    main()
