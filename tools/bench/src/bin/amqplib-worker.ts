/**
 * The raw amqplib consumer of the RabbitMQ part: the ceiling a Node worker on amqplib can reach, with no task
 * framework. argv: <broker URL> <prefetch>. It declares the `celery` queue as Celery does, consumes it with
 * `prefetch`, acks every message on arrival and, for a message without `ignore_result: true`, sends a SUCCESS
 * reply like Celery's rpc backend to its `reply_to`. Prints `READY` once consuming.
 */
import { connect } from 'amqplib';

const [url = '', prefetch = '100'] = process.argv.slice(2);
const conn = await connect(url);
const ch = await conn.createChannel();
await ch.assertQueue('celery', { durable: true, exclusive: false, autoDelete: false });
await ch.prefetch(Number(prefetch));
await ch.consume('celery', (msg) => {
  if (!msg) return;
  ch.ack(msg);
  const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
  const replyTo = msg.properties.replyTo as string | undefined;
  if (headers['ignore_result'] === true || !replyTo) return;
  const id = String(headers['id']);
  const body = JSON.stringify({ status: 'SUCCESS', result: null, traceback: null, children: [], date_done: new Date().toISOString(), task_id: id });
  ch.publish('', replyTo, Buffer.from(body), { contentType: 'application/json', contentEncoding: 'utf-8', correlationId: id, deliveryMode: 1, priority: 0 });
});
console.log('READY');

const stop = (): void => {
  conn
    .close()
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
