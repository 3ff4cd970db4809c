"""Celery's own event monitor for the q interop tests: `app.events.Receiver` feeding `celery.events.state.State`.

    /usr/bin/python3 events_capture.py [--no-wakeup]

Broker from the environment, as `capapp.py` reads it. Prints one JSON line per message on stdout:

- `{"ready": true}` once the receiver's queue is bound and consumed;
- `{"event": {...}}` for each event, as Celery's receiver handed it on (clocked, localized, `local_received` added);
- `{"state": {"workers": {...}, "tasks": {...}}}` for each `state` line read on stdin, and once more at the end
  (after `quit` or end of input): every worker with `alive` and its fields, every task's `as_dict()`.

`--no-wakeup` starts the receiver without broadcasting the `heartbeat` command (Celery's `capture(wakeup=True)`
asks every worker for a heartbeat at start).
"""
import json
import sys
import threading

from capapp import app

_out = threading.Lock()
_state_lock = threading.Lock()
state = app.events.State()


def emit(doc):
    line = json.dumps(doc, default=str)
    with _out:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


def on_event(event):
    with _state_lock:
        state.event(event)
    emit({'event': event})


def dump_state():
    with _state_lock:
        workers = {
            hostname: dict(
                {field: getattr(worker, field) for field in worker._fields},
                alive=worker.alive,
                status=worker.status_string,
            )
            for hostname, worker in state.workers.items()
        }
        tasks = {}
        for uuid, task in state.tasks.items():
            info = task.as_dict()
            info['worker'] = task.worker.hostname if task.worker is not None else None
            tasks[uuid] = info
    return {'workers': workers, 'tasks': tasks}


def main():
    wakeup = '--no-wakeup' not in sys.argv[1:]
    with app.connection_for_read() as connection:
        receiver = app.events.Receiver(connection, handlers={'*': on_event})
        consume_ready = receiver.on_consume_ready

        def on_consume_ready(*args, **kwargs):
            consume_ready(*args, **kwargs)
            emit({'ready': True})

        receiver.on_consume_ready = on_consume_ready

        def read_commands():
            for line in sys.stdin:
                command = line.strip()
                if command == 'state':
                    emit({'state': dump_state()})
                elif command == 'quit':
                    break
            receiver.should_stop = True

        threading.Thread(target=read_commands, daemon=True).start()
        receiver.capture(limit=None, timeout=None, wakeup=wakeup)
    emit({'state': dump_state()})


if __name__ == '__main__':
    main()
