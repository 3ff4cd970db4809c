"""A Python Celery client for the q interop tests, driven over stdin/stdout with JSON lines.

    /usr/bin/python3 client.py

Each input line is one request `{"id": 1, "op": "...", ...}`; each output line is the reply
`{"id": 1, "ok": true, ...}` or `{"id": 1, "ok": false, "exc_type": ..., "exc_module": ..., "message": ...}`.
Requests are handled in order. Ops:

- `send`: `task`, `args`, `kwargs`, `options` (countdown, eta (ISO string), expires (seconds or ISO string),
  priority, queue, task_id, link / link_error (signature specs), worker_direct (a node name: Celery's
  `worker_direct(nodename)` queue), declare_exchange (declare the queue's exchange on the publishing connection
  first: what a broadcast over Redis needs)) → `task_id`.
- `get`: `task_id`, `timeout`, `propagate` → `value`, `state`, `elapsed` (seconds), `children` (ids).
- `call`: `send` then `get`.
- `meta`: `task_id` → the stored `state`, `result` (repr of exceptions), `traceback`.
- `extended`: `task_id` → what Celery's `result_extended` rows tell: the result's `name`, `args`, `kwargs`,
  `worker`, `queue`, `retries`, and `state`.
- `row` (database backend only): `task_id` → the raw `celery_taskmeta` row read with SQL: `status`, `result`
  (`pickle.loads` of the column) with its `repr`, `traceback`, `date_done` (ISO, naive).
- `canvas`: `canvas` (a canvas spec), `queue` (set on every signature that names none), `options` (as `send`) →
  `task_id` (the result's id: the last step of a chain, a chord's body, a group's id), `kind` (`AsyncResult` or
  `GroupResult`), `results` (a group's child ids), `parents` (ids, nearest first). A group's result is kept
  here, so a later `get` of its id waits for the whole group (`GroupResult.get()`).
A signature spec is `{"task", "args", "kwargs", "options", "immutable"}`; `options.reply_to: "$client"` stands
for this client's oid (with `rpc://`, the linked task's result then comes back here).
A canvas spec is a signature spec (with optional `link` / `link_error` lists of canvas specs), or
`{"chain": [specs]}`, `{"group": [specs]}`, `{"chord": {"header": [specs], "body": spec}}`, each with optional
`link` / `link_error` too; it is built with Celery's own `chain`, `group` and `chord`.
"""
import json
import pickle
import sys
import time
from datetime import datetime

from celery import chain, chord, group
from celery.result import GroupResult
from celery.utils.nodenames import worker_direct

from capapp import app

# the GroupResults `canvas` returned, by group id (a group's result cannot be rebuilt from its id alone)
_groups = {}


def signature(spec, queue=None):
    options = dict(spec.get('options', {}))
    if queue and 'queue' not in options:
        options['queue'] = queue
    if options.get('reply_to') == '$client':  # results of the linked task come back to this client (rpc://)
        options['reply_to'] = app.thread_oid
    return app.signature(
        spec['task'],
        args=tuple(spec.get('args', [])),
        kwargs=spec.get('kwargs', {}),
        options=options,
        immutable=spec.get('immutable', False),
    )


def build(spec, queue=None):
    """A canvas spec as Celery's canvas (see the module doc)."""
    if 'chain' in spec:
        sig = chain(*[build(s, queue) for s in spec['chain']], app=app)
    elif 'group' in spec:
        sig = group([build(s, queue) for s in spec['group']], app=app)
    elif 'chord' in spec:
        sig = chord([build(s, queue) for s in spec['chord']['header']], build(spec['chord']['body'], queue), app=app)
    else:
        sig = signature(spec, queue)
    for cb in spec.get('link', []):
        sig.link(build(cb, queue))
    for eb in spec.get('link_error', []):
        sig.link_error(build(eb, queue))
    return sig


def send_options(raw):
    options = dict(raw or {})
    if isinstance(options.get('eta'), str):
        options['eta'] = datetime.fromisoformat(options['eta'])
    if isinstance(options.get('expires'), str):
        options['expires'] = datetime.fromisoformat(options['expires'])
    if 'worker_direct' in options:  # a node name: send to that worker alone (Celery's worker_direct queue)
        options['queue'] = worker_direct(options.pop('worker_direct'))
    for key in ('link', 'link_error'):
        if key in options:
            options[key] = [signature(s) for s in options[key]]
    return options


def send(req):
    options = send_options(req.get('options'))
    if options.pop('declare_exchange', False):
        # kombu's virtual transports (Redis) route by the exchange type declared on the publishing connection, and
        # Celery declares no Broadcast queue before publishing: undeclared, `bc` is taken for a direct exchange and
        # the message lands in the bcast.* lists nobody reads. Declare it, as a Python app sending broadcasts must.
        with app.producer_or_acquire() as producer:
            producer.maybe_declare(app.amqp.queues[options['queue']].exchange)
            result = app.send_task(req['task'], args=req.get('args', []), kwargs=req.get('kwargs', {}),
                                   producer=producer, **options)
    else:
        result = app.send_task(req['task'], args=req.get('args', []), kwargs=req.get('kwargs', {}), **options)
    return {'task_id': result.id}


def canvas(req):
    result = build(req['canvas'], req.get('queue')).apply_async(**send_options(req.get('options')))
    reply = {'task_id': result.id, 'kind': type(result).__name__, 'parents': []}
    if isinstance(result, GroupResult):
        _groups[result.id] = result
        reply['results'] = [r.id for r in result.results]
    node = result.parent
    while node is not None:
        reply['parents'].append(node.id)
        node = node.parent
    return reply


def get(req):
    # an AsyncResult rebuilt from its id has no parents: .get() raises the task's own error, not a parent's
    result = _groups.get(req['task_id']) or app.AsyncResult(req['task_id'])
    started = time.monotonic()
    try:
        value = result.get(timeout=req.get('timeout', 10), propagate=req.get('propagate', True),
                           disable_sync_subtasks=False)
    finally:
        elapsed = time.monotonic() - started
    children = [c.id for c in (result.children or [])]
    state = result.state if hasattr(result, 'state') else None
    return {'task_id': result.id, 'value': value, 'state': state, 'elapsed': elapsed, 'children': children}


def call(req):
    sent = send(req)
    return get({**req, 'task_id': sent['task_id']})


def meta(req):
    m = app.backend.get_task_meta(req['task_id'])
    res = m.get('result')
    if isinstance(res, BaseException):
        res = {'exc_type': type(res).__name__, 'args': [repr(a) for a in res.args]}
    return {'state': m.get('status'), 'result': res, 'traceback': m.get('traceback')}


def extended(req):
    r = app.AsyncResult(req['task_id'])
    return {'state': r.state, 'name': r.name, 'args': r.args, 'kwargs': r.kwargs, 'worker': r.worker,
            'queue': r.queue, 'retries': r.retries}


def row(req):
    from sqlalchemy import text  # the database backend's own driver: only this op needs it
    schema = (app.conf.database_table_schemas or {}).get('task')
    table = ('"%s".' % schema if schema else '') + (app.conf.database_table_names or {}).get('task', 'celery_taskmeta')
    session = app.backend.ResultSession()
    try:
        found = session.execute(text('SELECT status, result, traceback, date_done FROM %s WHERE task_id = :id' % table),
                                {'id': req['task_id']}).first()
    finally:
        session.close()
    if found is None:
        return {'found': False}
    value = pickle.loads(found.result) if found.result is not None else None
    return {'found': True, 'status': found.status, 'result': value, 'repr': repr(value), 'traceback': found.traceback,
            'date_done': found.date_done.isoformat() if found.date_done else None}


OPS = {'send': send, 'get': get, 'call': call, 'meta': meta, 'canvas': canvas, 'extended': extended, 'row': row}


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
