"""Celery app of the message-signing interop test (e2e/test/security-interop.integration.test.ts).

Signs with Celery's `auth` serializer through `app.setup_security()`, configured from the environment:
SECURITY_KEY, SECURITY_CERT (files), SECURITY_STORE (a directory of certificates), SECURITY_DIGEST (default
sha256); INTEROP_BROKER, INTEROP_BACKEND, INTEROP_LEDGER (Redis URLs). Results stay `json` (Celery's default), so
a client reads them with `result_accept_content = ['json']`.
"""
import os

import redis
from celery import Celery

app = Celery('security_app', broker=os.environ['INTEROP_BROKER'], backend=os.environ['INTEROP_BACKEND'])
app.conf.update(
    security_key=os.environ['SECURITY_KEY'],
    security_certificate=os.environ['SECURITY_CERT'],
    security_cert_store=os.environ['SECURITY_STORE'],
    security_digest=os.environ.get('SECURITY_DIGEST', 'sha256'),
    task_serializer='auth',
    accept_content=['auth'],
    result_serializer='json',
    result_accept_content=['json'],
    result_expires=600,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)
app.setup_security()


@app.task(name='sec.add')
def add(x, y):
    redis.Redis.from_url(os.environ['INTEROP_LEDGER']).rpush('ledger', f'python:{x}+{y}')
    return x + y
