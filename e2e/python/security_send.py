"""Sends one task signed by Python Celery's `auth` serializer (see security_app.py for the environment).

    /usr/bin/python3 security_send.py QUEUE TASK ARGS_JSON [WAIT_SECONDS]

Prints `{"task_id": ...}`, and with WAIT_SECONDS the result too: `{"task_id": ..., "result": ...}`.
"""
import json
import sys

from security_app import app

queue, task, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
res = app.send_task(task, args=args, queue=queue)
out = {'task_id': res.id}
if len(sys.argv) > 4:
    out['result'] = res.get(timeout=float(sys.argv[4]))
print(json.dumps(out), flush=True)
