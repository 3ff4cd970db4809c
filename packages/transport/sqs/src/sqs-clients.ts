/**
 * The SQS clients of a driver: the main one (URL credentials, endpoint, region) and one per distinct credential
 * set/region among the predefined queues (kombu `predefined_queues` with their own keys).
 */
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { ResolvedSqsOptions, SqsCredentials } from './options.js';

/** kombu's fallback region. */
export const FALLBACK_REGION = 'us-east-1';

/** The SDK's default region chain (env, shared config), else `us-east-1` like kombu. */
async function defaultRegion(): Promise<string> {
  const probe = new SQSClient({});
  try {
    return await probe.config.region();
  } catch {
    return FALLBACK_REGION;
  } finally {
    probe.destroy();
  }
}

/** Creates and keeps the clients; `destroy()` closes those it created. */
export class SqsClients {
  readonly #options: ResolvedSqsOptions;
  readonly #clients = new Map<string, SQSClient>();
  readonly main: SQSClient;

  constructor(options: ResolvedSqsOptions) {
    this.#options = options;
    this.main = options.client ?? this.#create(options.credentials, options.region);
  }

  /** The client for a predefined queue with its own credentials or region (shared by equal sets). */
  forQueue(credentials: SqsCredentials | undefined, region: string | undefined): SQSClient {
    if (this.#options.client || (credentials === undefined && region === undefined)) return this.main;
    const key = JSON.stringify([credentials?.accessKeyId, credentials?.secretAccessKey, region]);
    let client = this.#clients.get(key);
    if (!client) {
      client = this.#create(credentials ?? this.#options.credentials, region ?? this.#options.region);
      this.#clients.set(key, client);
    }
    return client;
  }

  #create(credentials: SqsCredentials | undefined, region: string | undefined): SQSClient {
    const o = this.#options;
    const config: SQSClientConfig = {
      region: region ?? defaultRegion,
      maxAttempts: o.maxAttempts,
      retryMode: 'standard',
    };
    if (o.endpoint !== undefined) config.endpoint = o.endpoint;
    if (credentials !== undefined) config.credentials = credentials;
    return new SQSClient(config);
  }

  /** Destroys the clients this object created (never a client the user brought). */
  destroy(): void {
    if (!this.#options.client) this.main.destroy();
    for (const c of this.#clients.values()) c.destroy();
    this.#clients.clear();
  }
}
