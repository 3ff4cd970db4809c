"""Celery's own remote-control client (`app.control`) for the q interop tests: one call, its result as JSON.

    /usr/bin/python3 control_client.py '<request JSON>'

The request names what to call on `capapp.app.control`:

- `{"inspect": "<method>", "args": [...], "destination": [...], "timeout": 2}` →
  `app.control.inspect(destination=..., timeout=...).<method>(*args)` (`query_task`, `stats`, …);
- `{"control": "<method>", "args": [...], "kwargs": {...}}` → `app.control.<method>(*args, **kwargs)`
  (`ping`, `revoke` with `terminate=True`, `rate_limit`, `add_consumer`, `broadcast`, …).

One line is printed on stdout: `{"ok": true, "value": <what Celery returned>}`, or `{"ok": false, "exc_type": ...,
"message": ...}` when Celery raised (a reply it could not decode raises here, so an `ok` line means Python read
every reply).
"""
import json
import sys

from capapp import app


def main():
    request = json.loads(sys.argv[1])
    try:
        if 'inspect' in request:
            inspect = app.control.inspect(destination=request.get('destination'), timeout=request.get('timeout', 1.0))
            value = getattr(inspect, request['inspect'])(*request.get('args', []))
        else:
            value = getattr(app.control, request['control'])(*request.get('args', []), **request.get('kwargs', {}))
        print(json.dumps({'ok': True, 'value': value}))
    except Exception as exc:  # reported to the test, which fails with it
        print(json.dumps({'ok': False, 'exc_type': type(exc).__name__, 'message': str(exc)}))
    finally:
        app.close()


if __name__ == '__main__':
    main()
