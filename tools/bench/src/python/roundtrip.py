"""Round-trip scenario client: WARMUP then N sequential apply_async(...).get() calls against a running worker.

Prints one JSON line: {"latencies_ms": [...]} for the N timed calls. The first warm-up call waits up to
30 s for the worker to come up; each later call up to 10 s.
"""
import json
import sys
import time

from bench_app import noop


def main() -> None:
    n = int(sys.argv[1])
    warmup = int(sys.argv[2])
    noop.apply_async().get(timeout=30)
    for _ in range(max(0, warmup - 1)):
        noop.apply_async().get(timeout=10)
    latencies = []
    for _ in range(n):
        start = time.perf_counter()
        noop.apply_async().get(timeout=10)
        latencies.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"latencies_ms": latencies}))


if __name__ == "__main__":
    main()
