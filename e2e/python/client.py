"""A Python Celery client for the q interop tests, driven over stdin/stdout with JSON lines.

    /usr/bin/python3 client.py

Each input line is one request `{"id": 1, "op": "...", ...}`; each output line is the reply
`{"id": 1, "ok": true, ...}` or `{"id": 1, "ok": false, "exc_type": ..., "exc_module": ..., "message": ...}`.
Requests are handled in order. Ops:

- `send`: `task`, `args`, `kwargs`, `options` (countdown, eta (ISO string), expires (seconds or ISO string),
  priority, queue, task_id, link / link_error (signature specs)) → `task_id`.
- `get`: `task_id`, `timeout`, `propagate` → `value`, `state`, `elapsed` (seconds), `children` (ids).
- `call`: `send` then `get`.
- `meta`: `task_id` → the stored `state`, `result` (repr of exceptions), `traceback`.
A signature spec is `{"task", "args", "kwargs", "options", "immutable"}`; `options.reply_to: "$client"` stands
for this client's oid (with `rpc://`, the linked task's result then comes back here).
"""
import json
import sys
import time
from datetime import datetime

from capapp import app


def signature(spec):
    options = dict(spec.get('options', {}))
    if options.get('reply_to') == '$client':  # results of the linked task come back to this client (rpc://)
        options['reply_to'] = app.thread_oid
    return app.signature(
        spec['task'],
        args=tuple(spec.get('args', [])),
        kwargs=spec.get('kwargs', {}),
        options=options,
        immutable=spec.get('immutable', False),
    )


def send_options(raw):
    options = dict(raw or {})
    if isinstance(options.get('eta'), str):
        options['eta'] = datetime.fromisoformat(options['eta'])
    if isinstance(options.get('expires'), str):
        options['expires'] = datetime.fromisoformat(options['expires'])
    for key in ('link', 'link_error'):
        if key in options:
            options[key] = [signature(s) for s in options[key]]
    return options


def send(req):
    result = app.send_task(req['task'], args=req.get('args', []), kwargs=req.get('kwargs', {}),
                           **send_options(req.get('options')))
    return {'task_id': result.id}


def get(req):
    result = app.AsyncResult(req['task_id'])
    started = time.monotonic()
    try:
        value = result.get(timeout=req.get('timeout', 10), propagate=req.get('propagate', True),
                           disable_sync_subtasks=False)
    finally:
        elapsed = time.monotonic() - started
    children = [c.id for c in (result.children or [])]
    return {'task_id': result.id, 'value': value, 'state': result.state, 'elapsed': elapsed, 'children': children}


def call(req):
    sent = send(req)
    return get({**req, 'task_id': sent['task_id']})


def meta(req):
    m = app.backend.get_task_meta(req['task_id'])
    res = m.get('result')
    if isinstance(res, BaseException):
        res = {'exc_type': type(res).__name__, 'args': [repr(a) for a in res.args]}
    return {'state': m.get('status'), 'result': res, 'traceback': m.get('traceback')}


OPS = {'send': send, 'get': get, 'call': call, 'meta': meta}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            reply = {'id': req.get('id'), 'ok': True, **OPS[req['op']](req)}
        except Exception as exc:  # the test reads the exception's class and message
            reply = {'id': req.get('id'), 'ok': False, 'exc_type': type(exc).__name__,
                     'exc_module': type(exc).__module__, 'message': str(exc),
                     'args': [a if isinstance(a, (str, int, float, bool, type(None))) else repr(a) for a in exc.args]}
        sys.stdout.write(json.dumps(reply, default=repr) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
