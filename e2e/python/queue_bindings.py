"""Prints how Celery binds queues (``app.amqp.queues``) for a configuration given as JSON on argv.

Input: ``{"conf": {celery settings}, "task_queues": [{"name", "exchange"?, "exchange_type"?, "routing_key"?}] | null,
"names": [queue names to look up]}``. Output: one JSON list, per name: name, exchange, type, routing_key, durable,
auto_delete (a name missing from ``task_queues`` is created as Celery creates it, ``task_create_missing_queues``).
"""
import json
import sys

from celery import Celery
from kombu import Exchange, Queue


def main():
    spec = json.loads(sys.argv[1])
    app = Celery('bindings', broker='memory://', set_as_current=False)
    app.conf.update(spec.get('conf', {}))
    declared = spec.get('task_queues')
    if declared is not None:
        queues = []
        for q in declared:
            exchange = Exchange(q['exchange'], q.get('exchange_type', 'direct')) if 'exchange' in q else None
            queues.append(Queue(q['name'], exchange, routing_key=q.get('routing_key', '')))
        app.conf.task_queues = queues
    out = []
    for name in spec['names']:
        q = app.amqp.queues[name]
        out.append({
            'name': q.name,
            'exchange': q.exchange.name,
            'type': q.exchange.type,
            'routing_key': q.routing_key,
            'durable': q.durable,
            'auto_delete': q.auto_delete,
        })
    print(json.dumps(out))


if __name__ == '__main__':
    main()
