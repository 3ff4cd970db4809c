/**
 * py-amqp 5.1.1 (Python Celery's AMQP client, Debian's `python3-amqp`) driven from tests: publish a message with
 * given headers, or `basic_get` messages and return what Python decoded. Python ints beyond 2^53 come back as
 * `bigint` (parsed with core's Python JSON parser).
 */
import { spawnSync } from 'node:child_process';
import { pyJsonParse } from '@q/core/adapter';

const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import amqp, json, sys
args = json.loads(sys.argv[1])
conn = amqp.Connection(host='127.0.0.1:5672', userid='guest', password='guest', virtual_host=args['vhost'])
conn.connect()
ch = conn.channel()
out = None
if args['op'] == 'get':
    out = []
    for _ in range(args['count']):
        m = ch.basic_get(args['queue'], no_ack=True)
        if m is None:
            out.append(None)
            continue
        info = {k: v for k, v in m.delivery_info.items() if k != 'channel'}
        out.append({'delivery_info': info, 'properties': m.properties, 'body': m.body.decode('utf-8') if isinstance(m.body, bytes) else m.body})
elif args['op'] == 'publish':
    headers = args['headers']
    for k, v in args.get('big', {}).items():
        headers[k] = int(v)
    ch.basic_publish(amqp.Message(args['body'], application_headers=headers, content_type='application/json',
                                  content_encoding='utf-8', delivery_mode=2, correlation_id='py-1'),
                     exchange='', routing_key=args['queue'])
print(json.dumps(out, default=repr))
conn.close()
`;

/** Whether Debian's py-amqp is importable. */
export function pyAmqpAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import amqp'], { encoding: 'utf8' }).status === 0;
}

function run(args: Record<string, unknown>): unknown {
  const r = spawnSync(PYTHON, ['-c', SCRIPT, JSON.stringify(args)], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`py-amqp ${String(args['op'])} failed: ${r.stderr || r.stdout}`);
  return pyJsonParse(r.stdout);
}

/** A message as py-amqp's `basic_get` returned it. */
export interface PyMessage {
  delivery_info: Record<string, unknown>;
  properties: Record<string, unknown> & { application_headers?: Record<string, unknown> };
  body: string;
}

/** `basic_get` `count` messages from `queue` (null where the queue was empty). */
export function pyGet(vhost: string, queue: string, count = 1): (PyMessage | null)[] {
  return run({ op: 'get', vhost, queue, count }) as (PyMessage | null)[];
}

/**
 * Publishes `body` to the default exchange with routing key `queue` and `headers`; `big` holds integers given as
 * decimal strings (so they reach Python exactly).
 */
export function pyPublish(vhost: string, queue: string, body: string, headers: Record<string, unknown>, big: Record<string, string> = {}): void {
  run({ op: 'publish', vhost, queue, body, headers, big });
}
