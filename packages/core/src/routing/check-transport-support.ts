/**
 * Refusing, at connect, a configuration the transport cannot serve: a declared queue on a topic or fanout
 * exchange needs a transport that routes those (`capabilities.topic` / `capabilities.fanout`). Without the
 * check such a message would be published and silently routed nowhere.
 */
import type { Transport } from '../contracts/transport.js';
import type { ResolvedConfig } from '../config/options.js';
import { ConfigError } from '../errors/q-error.js';

/** What the configuration needs from a transport, and which setting asks for it. */
interface Need {
  readonly capability: 'topic' | 'fanout';
  readonly setting: string;
}

function needs(conf: ResolvedConfig): Need[] {
  const out: Need[] = [];
  conf.task.queues.forEach((q, i) => {
    if (q.exchangeType === 'topic' || q.exchangeType === 'fanout') {
      out.push({ capability: q.exchangeType, setting: `task.queues[${i}] ("${q.name}", exchangeType "${q.exchangeType}")` });
    }
  });
  // Without task.queues the default queue is bound to the default exchange, of task.defaultExchangeType.
  const type = conf.task.defaultExchangeType;
  if (conf.task.queues.length === 0 && (type === 'topic' || type === 'fanout')) {
    out.push({ capability: type, setting: `task.defaultExchangeType ("${type}")` });
  }
  return out;
}

/**
 * Throws when `transport` lacks a capability the configuration uses.
 * @throws ConfigError `Q_ERR_CAPABILITY_UNSUPPORTED`, naming the adapter, the capability and the setting
 */
export function checkTransportSupport(transport: Transport, conf: ResolvedConfig): void {
  for (const need of needs(conf)) {
    if (!transport.capabilities[need.capability]) {
      throw new ConfigError(
        'Q_ERR_CAPABILITY_UNSUPPORTED',
        `${transport.describe()} does not support the "${need.capability}" capability, which ${need.setting} needs`,
      );
    }
  }
}
