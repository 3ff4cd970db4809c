/**
 * The brokers of the reliability kill tests and what "nothing left" means on each: a private redis-server
 * (broker db 0, the ledger db 1) and a RabbitMQ vhost of the suite's own on the shared node (killing a worker
 * never touches the broker).
 */
import type { Redis } from 'ioredis';
import { listQueues } from '@q/test-services';
import type { TestVhost } from '@q/test-services';

/** A broker as the kill tests use it. */
export interface KillBroker {
  readonly name: 'redis' | 'rabbitmq';
  /** The URL given to the client and to `q worker -b`. */
  readonly url: string;
  /** What is still in `queue` (ready or unacknowledged), e.g. `list 3, unacked 2`; null when nothing. */
  leftIn(queue: string): Promise<string | null>;
}

/**
 * Redis db 0 of the private server on `port`, with a 5 s visibility timeout (a killed worker's unacknowledged
 * messages come back within the test, not after kombu's hour) and a 5 s `unacked_mutex` expiry (a worker killed
 * during its restore sweep holds the mutex for that long, not kombu's 300 s).
 */
export function redisKillBroker(port: number, db0: Redis): KillBroker {
  return {
    name: 'redis',
    url: `redis://127.0.0.1:${port}/0?visibility_timeout=5&unacked_mutex_expire=5`,
    async leftIn(queue) {
      const [list, unacked, index] = await Promise.all([db0.llen(queue), db0.hlen('unacked'), db0.zcard('unacked_index')]);
      return list + unacked + index === 0 ? null : `list ${list}, unacked ${unacked}, unacked_index ${index}`;
    },
  };
}

/** The suite's RabbitMQ vhost: a queue's `messages` (ready + unacknowledged) from `rabbitmqctl`. */
export function rabbitKillBroker(vhost: TestVhost): KillBroker {
  return {
    name: 'rabbitmq',
    url: vhost.url,
    leftIn(queue) {
      const row = listQueues(vhost.name, ['name', 'messages']).find(([name]) => name === queue);
      if (!row) return Promise.resolve(`queue ${queue} does not exist`);
      return Promise.resolve(row[1] === '0' ? null : `messages ${row[1] ?? '?'}`);
    },
  };
}
