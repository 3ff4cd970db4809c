"""The Celery app of the benchmark: a no-op task and a chord body, broker and backend from the environment.

BENCH_BROKER  broker URL (redis://127.0.0.1:6379/5, amqp://guest:guest@127.0.0.1:5672/q-bench, or
              sqs://test:test@127.0.0.1:<port> for the bench's SQS emulator)
BENCH_BACKEND result backend URL (the Redis URL, or rpc:// on RabbitMQ), or empty for none
BENCH_TRANSPORT_OPTIONS  broker_transport_options as JSON (SQS: region, queue_name_prefix, wait_time_seconds), or unset
"""
import json
import os

from celery import Celery

broker = os.environ["BENCH_BROKER"]
backend = os.environ.get("BENCH_BACKEND") or None

app = Celery("bench", broker=broker, backend=backend)
app.conf.update(
    # Remote control (pidbox fanout) is off: q has none yet, and it adds a pub/sub consumer per worker.
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)
transport_options = os.environ.get("BENCH_TRANSPORT_OPTIONS")
if transport_options:
    app.conf.broker_transport_options = json.loads(transport_options)
# Results off on Redis = no backend (DisabledBackend stores nothing); on RabbitMQ the worker keeps rpc:// and the
# harness marks the pre-loaded messages `ignore_result: true`. task_ignore_result is left False on purpose: the
# client would otherwise send `ignore_result: true` in every message and the worker would skip storing even
# with a backend.


@app.task(name="bench.noop")
def noop():
    return None


@app.task(name="bench.chord_body")
def chord_body(results):
    """The body of the chord scenario: gets the header's results (a list of None) and returns how many."""
    return len(results)
