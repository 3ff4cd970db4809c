"""Celery app of the q interop tests: the same task names as e2e/apps/interop-app.ts.

Broker and backend come from the environment (Redis db 3 by default); the ledger (a Redis db where tasks
record that they ran, to count executions across workers) from INTEROP_LEDGER (db 4 by default).
INTEROP_CELERY_CONF (JSON) adds settings, e.g. `database_table_schemas` for a `db+postgresql://` backend.
INTEROP_BROADCAST_QUEUES (comma-separated names) declares kombu `Broadcast` queues as `task_queues`.
"""
import json
import os
import time

import redis
from celery import Celery
from kombu.common import Broadcast

BROKER = os.environ.get('INTEROP_BROKER', 'redis://127.0.0.1:6379/3')
BACKEND = os.environ.get('INTEROP_BACKEND', BROKER)
LEDGER = os.environ.get('INTEROP_LEDGER', 'redis://127.0.0.1:6379/4')
WHO = 'python'

app = Celery('capapp', broker=BROKER, backend=BACKEND)
app.conf.update(
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    result_expires=600,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)
if os.environ.get('INTEROP_CELERY_CONF'):
    app.conf.update(json.loads(os.environ['INTEROP_CELERY_CONF']))
if os.environ.get('INTEROP_BROADCAST_QUEUES'):  # comma-separated names of kombu Broadcast queues
    app.conf.task_queues = [Broadcast(name) for name in os.environ['INTEROP_BROADCAST_QUEUES'].split(',')]
if os.environ.get('INTEROP_QUEUE_MAX_PRIORITY'):
    app.conf.task_queue_max_priority = int(os.environ['INTEROP_QUEUE_MAX_PRIORITY'])

_ledger = None


def ledger():
    global _ledger
    if _ledger is None:
        _ledger = redis.Redis.from_url(LEDGER)
    return _ledger


@app.task(name='tasks.add')
def add(x, y):
    return x + y


@app.task(name='tasks.mul')
def mul(x, y):
    return x * y


@app.task(name='tasks.xsum')
def xsum(numbers):
    return sum(numbers)


@app.task(name='tasks.fail')
def fail(message):
    raise ValueError(message)


@app.task(name='tasks.echo')
def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}


@app.task(name='tasks.errback')
def errback(task_id):
    """An errback sent as a task (one argument: Celery calls errbacks with more arguments inline)."""
    return {'failed': task_id}


@app.task(name='tasks.sleep')
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name='tasks.flaky', bind=True, max_retries=3)
def flaky(self, times):
    """Retries itself until it has retried `times` times (0.2 s apart); returns the retry count."""
    if self.request.retries < times:
        raise self.retry(countdown=0.2, exc=RuntimeError('transient failure'))
    return self.request.retries


@app.task(name='tasks.record')
def record(key, value):
    """Appends `<who>:<value>` to the ledger list `key`; returns who ran it and the square of `value`."""
    ledger().rpush(key, '%s:%s' % (WHO, value))
    square = value * value if isinstance(value, (int, float)) else None
    return {'value': value, 'square': square, 'by': WHO}


@app.task(name='tasks.slow_record')
def slow_record(key, value, seconds):
    """Sleeps `seconds`, then appends `<who>:<value>` to the ledger list `key`; returns `value`."""
    time.sleep(seconds)
    ledger().rpush(key, '%s:%s' % (WHO, value))
    return value


@app.task(name='tasks.request_info', bind=True, ignore_result=True)
def request_info(self, *args, **kwargs):
    """Appends the message's fields as this worker read them (JSON) to the ledger list `requests` (beat interop)."""
    r = self.request
    delivery = r.delivery_info or {}
    info = {
        'id': r.id,
        'task': self.name,
        'args': list(args),
        'kwargs': kwargs,
        'argsrepr': getattr(r, 'argsrepr', None),
        'kwargsrepr': getattr(r, 'kwargsrepr', None),
        'expires': r.expires,
        'eta': r.eta,
        'root_id': r.root_id,
        'parent_id': r.parent_id,
        'retries': r.retries,
        'routing_key': delivery.get('routing_key'),
        'exchange': delivery.get('exchange'),
    }
    ledger().rpush('requests', json.dumps(info, default=str))
    return info
