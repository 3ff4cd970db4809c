/**
 * Options of the SQS queue driver: typed camelCase options first, kombu's transport option names (`region`,
 * `visibility_timeout`, `queue_name_prefix`, …, in seconds where kombu uses seconds; also accepted in the URL
 * query) second, defaults last.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@q/core';
import { ConfigError, silentLogger } from '@q/core';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from '@q/core/adapter';

/** Static AWS credentials. */
export interface SqsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A queue that exists already (kombu `predefined_queues`): no listing, no creation. */
export interface SqsPredefinedQueue {
  url: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
}

/** Options of `sqsQueueDriver()` and `sqsTransport()`. */
export interface SqsQueueDriverOptions {
  /** `sqs://[access_key:secret@][host[:port]][/][?kombu_option=…]`; `sqs://` alone uses the AWS default credential chain. */
  url?: string;
  /** kombu transport options by their kombu names (`region`, `visibility_timeout`, `queue_name_prefix`, …). */
  transportOptions?: Record<string, unknown>;
  /** AWS region (kombu `region`); unset: the SDK's own default chain, else `us-east-1` like kombu. */
  region?: string;
  /** Explicit endpoint URL (wins over host:port in the URL). */
  endpoint?: string;
  /** Static credentials (win over the URL's). */
  credentials?: SqsCredentials;
  /** kombu `queue_name_prefix` (default empty). */
  queueNamePrefix?: string;
  /** kombu `predefined_queues`: kombu queue name → queue URL (and its own credentials/region). */
  predefinedQueues?: Record<string, SqsPredefinedQueue>;
  /** kombu `visibility_timeout` (s), default 1800 s; SQS counts whole seconds. */
  visibilityTimeoutMs?: number;
  /** Long polling: kombu `wait_time_seconds`, default 10 (max 20). */
  waitTimeSeconds?: number;
  /** kombu `polling_interval` (s), default 1: the idle pause of a non-waiting consumer. */
  pollingIntervalMs?: number;
  /** kombu `sqs-creation-attributes`: extra attributes of the queues this driver creates. */
  creationAttributes?: Record<string, string>;
  /** kombu `sqs_base64_encoding` (default true): MessageBody = base64(envelope). */
  base64Encoding?: boolean;
  /** q (`dead_letter_queue`): queues this driver creates get a RedrivePolicy to this queue (created too). */
  deadLetterQueue?: string;
  /** q (`max_receive_count`): the RedrivePolicy's maxReceiveCount (default 5). */
  maxReceiveCount?: number;
  /** Bring your own client (then the URL's credentials and endpoint are ignored). */
  client?: SQSClient;
  /** SDK attempts per request, retries of throttling and 5xx included (default 8, adaptive retry mode). */
  maxAttempts?: number;
  logger?: Logger;
}

/** Everything resolved. */
export interface ResolvedSqsOptions {
  url: string;
  region: string | undefined;
  endpoint: string | undefined;
  credentials: SqsCredentials | undefined;
  queueNamePrefix: string;
  predefinedQueues: Record<string, SqsPredefinedQueue> | undefined;
  visibilityTimeoutMs: number;
  waitTimeSeconds: number;
  pollingIntervalMs: number;
  creationAttributes: Record<string, string>;
  base64Encoding: boolean;
  deadLetterQueue: string | undefined;
  maxReceiveCount: number;
  client: SQSClient | undefined;
  maxAttempts: number;
  transportOptions: Record<string, unknown>;
  logger: Logger;
}

/** Default broker URL: AWS, default credential chain. */
export const DEFAULT_URL = 'sqs://';
/** kombu's default visibility timeout: 30 minutes. */
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 1_800_000;
/** kombu's default long-polling wait. */
export const DEFAULT_WAIT_TIME_SECONDS = 10;
export const DEFAULT_MAX_RECEIVE_COUNT = 5;
export const DEFAULT_MAX_ATTEMPTS = 8;
/** The shape of AWS region names: `us-east-1`, `us-gov-west-1`, `ap-southeast-5`, `eu-isoe-west-1`, `cn-north-1`. */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The URL with its secret masked. */
export function maskSqsUrl(url: string): string {
  return url.replace(/^(sqs:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

interface ParsedSqsUrl {
  credentials: SqsCredentials | undefined;
  endpointHost: string | undefined;
  query: Record<string, string>;
}

function badUrl(url: string, why: string): ConfigError {
  return new ConfigError('Q_ERR_URL_INVALID', `SQS URL "${maskSqsUrl(url)}" is invalid: ${why}`);
}

/** Parses `sqs://[key:secret@][host[:port]][/][?options]` (credentials percent-decoded, like kombu). */
export function parseSqsUrl(url: string): ParsedSqsUrl {
  const m = /^sqs:\/\/(?:([^:@/]*)(?::([^@]*))?@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(url.trim());
  if (!m) throw badUrl(url, 'expected sqs://[access_key:secret@][host[:port]][/][?option=value]');
  const [, user, pass, hostPort = '', path = '', search = ''] = m;
  if (path !== '' && path !== '/') throw badUrl(url, `unexpected path "${path}" (SQS URLs have no path)`);
  let credentials: SqsCredentials | undefined;
  try {
    if (user !== undefined && user !== '') {
      if (pass === undefined || pass === '') throw badUrl(url, 'an access key needs its secret (sqs://key:secret@)');
      credentials = { accessKeyId: decodeURIComponent(user), secretAccessKey: decodeURIComponent(pass) };
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw badUrl(url, 'bad percent-encoding in the credentials');
  }
  if (hostPort !== '' && !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(hostPort)) throw badUrl(url, `bad host "${hostPort}"`);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) query[k] = v;
  return { credentials, endpointHost: hostPort === '' ? undefined : hostPort, query };
}

/** Reads kombu-named options, each error naming the option (and the URL when it came from the query). */
class OptionReader {
  constructor(
    private readonly url: string,
    private readonly given: Record<string, unknown>,
    readonly all: Record<string, unknown>,
  ) {}

  #fail(name: string, expected: string, v: unknown): ConfigError {
    if (Object.hasOwn(this.given, name)) {
      return new ConfigError('Q_ERR_CONFIG_INVALID', `transport option ${name} must be ${expected} (got ${JSON.stringify(v)})`);
    }
    return badUrl(this.url, `query parameter ${name}=${JSON.stringify(v)} is not ${expected}`);
  }

  #raw(name: string): unknown {
    const v = this.all[name];
    return v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v;
  }

  number(name: string, { min = 0, max = Infinity, integer = false } = {}): number | undefined {
    const v = this.#raw(name);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n))) return n;
    const what = `${integer ? 'an integer' : 'a number'} ${max === Infinity ? `≥ ${min}` : `between ${min} and ${max}`}`;
    throw this.#fail(name, what, v);
  }

  text(name: string): string | undefined {
    const v = this.#raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.#fail(name, 'a string', v);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.#raw(name);
    if (v === undefined) return undefined;
    const b = parseBooleanWord(v);
    if (b === undefined) throw this.#fail(name, `one of ${BOOLEAN_WORDS_HINT}`, v);
    return b;
  }

  /** An object option (a JSON string in the URL query). */
  record(name: string): Record<string, unknown> | undefined {
    let v = this.#raw(name);
    if (v === undefined) return undefined;
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v) as unknown;
      } catch {
        throw this.#fail(name, 'a JSON object', v);
      }
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.#fail(name, 'an object', v);
    return v as Record<string, unknown>;
  }
}

function predefined(r: OptionReader): Record<string, SqsPredefinedQueue> | undefined {
  const raw = r.record('predefined_queues');
  if (!raw) return undefined;
  const out: Record<string, SqsPredefinedQueue> = {};
  for (const [name, v] of Object.entries(raw)) {
    const q = v as Record<string, unknown> | null;
    if (typeof q !== 'object' || q === null || typeof q['url'] !== 'string') {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `transport option predefined_queues.${name} must be an object with a url`);
    }
    const str = (k: string): string | undefined => (typeof q[k] === 'string' ? q[k] : undefined);
    const entry: SqsPredefinedQueue = { url: q['url'] };
    const key = str('access_key_id') ?? str('accessKeyId');
    const secret = str('secret_access_key') ?? str('secretAccessKey');
    const region = str('region');
    if (key !== undefined) entry.accessKeyId = key;
    if (secret !== undefined) entry.secretAccessKey = secret;
    if (region !== undefined) entry.region = region;
    out[name] = entry;
  }
  return out;
}

function stringRecord(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) out[k] = String(v);
  return out;
}

/**
 * Resolves options (URL query parameters count as transport options, like kombu's; a transport option wins, a
 * typed option wins over both).
 * @throws ConfigError `Q_ERR_URL_INVALID` for a bad URL or query parameter, `Q_ERR_CONFIG_INVALID` for a bad
 *   transport option, each naming the kombu option.
 */
export function resolveSqsOptions(options: SqsQueueDriverOptions | string = {}): ResolvedSqsOptions {
  const o: SqsQueueDriverOptions = typeof options === 'string' ? { url: options } : options;
  const url = o.url ?? DEFAULT_URL;
  const given = o.transportOptions ?? {};
  const parsed = parseSqsUrl(url);
  const t: Record<string, unknown> = { ...parsed.query, ...given };
  const r = new OptionReader(url, given, t);
  const vtSeconds = r.number('visibility_timeout', { max: 43_200 });
  const pollSeconds = r.number('polling_interval');
  const secure = r.bool('is_secure') ?? false;
  const port = r.number('port', { min: 1, max: 65_535, integer: true });
  const host = parsed.endpointHost === undefined ? undefined : port !== undefined && !/:\d+$/.test(parsed.endpointHost) ? `${parsed.endpointHost}:${port}` : parsed.endpointHost;
  const endpoint = o.endpoint ?? r.text('endpoint_url') ?? (host === undefined ? undefined : `${secure ? 'https' : 'http'}://${host}`);
  if (r.all['client-config'] !== undefined) o.logger?.debug({}, 'transport option client-config is ignored (botocore-only); use maxAttempts or client');
  const visibilityTimeoutMs = o.visibilityTimeoutMs ?? (vtSeconds === undefined ? DEFAULT_VISIBILITY_TIMEOUT_MS : vtSeconds * 1000);
  if (!(visibilityTimeoutMs >= 0 && visibilityTimeoutMs <= 43_200_000)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `visibilityTimeoutMs must be between 0 and 43200000 (12 h), got ${visibilityTimeoutMs}`);
  }
  const waitTimeSeconds = o.waitTimeSeconds ?? r.number('wait_time_seconds', { max: 20, integer: true }) ?? DEFAULT_WAIT_TIME_SECONDS;
  if (!(Number.isInteger(waitTimeSeconds) && waitTimeSeconds >= 0 && waitTimeSeconds <= 20)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `waitTimeSeconds must be an integer between 0 and 20, got ${waitTimeSeconds}`);
  }
  const maxReceiveCount = o.maxReceiveCount ?? r.number('max_receive_count', { min: 1, max: 1000, integer: true }) ?? DEFAULT_MAX_RECEIVE_COUNT;
  const deadLetterQueue = o.deadLetterQueue ?? r.text('dead_letter_queue');
  const predefinedQueues = o.predefinedQueues ?? predefined(r);
  const region = o.region ?? r.text('region');
  // On AWS (no endpoint of its own) the region names the endpoint: a misspelt one would only fail as a DNS error.
  if (region !== undefined && endpoint === undefined && o.client === undefined && !AWS_REGION.test(region)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `region "${region}" is not an AWS region name (like eu-west-1); set an endpoint for an SQS-compatible server`);
  }
  return {
    url,
    region,
    endpoint,
    credentials: o.credentials ?? parsed.credentials,
    queueNamePrefix: o.queueNamePrefix ?? r.text('queue_name_prefix') ?? '',
    predefinedQueues,
    visibilityTimeoutMs,
    waitTimeSeconds,
    pollingIntervalMs: o.pollingIntervalMs ?? (pollSeconds === undefined ? 1000 : pollSeconds * 1000),
    creationAttributes: o.creationAttributes ?? stringRecord(r.record('sqs-creation-attributes')),
    base64Encoding: o.base64Encoding ?? r.bool('sqs_base64_encoding') ?? true,
    deadLetterQueue,
    maxReceiveCount,
    client: o.client,
    maxAttempts: Math.max(1, Math.trunc(o.maxAttempts ?? r.number('max_attempts', { min: 1, integer: true }) ?? DEFAULT_MAX_ATTEMPTS)),
    transportOptions: t,
    logger: o.logger ?? silentLogger,
  };
}
