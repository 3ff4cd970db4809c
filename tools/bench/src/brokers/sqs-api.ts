/**
 * The harness's own SQS client for the emulator: the AWS JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`, what
 * `@aws-sdk/client-sqs` v3 speaks) over `fetch`, unsigned (the emulator checks no signatures). Only what filling and
 * watching a queue need; neither peer uses it, and it keeps the AWS SDK out of the harness (it is not a dependency
 * of the bench).
 */

/** An error answer of the SQS API. */
export class SqsApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(action: string, status: number, code: string, message: string) {
    super(`SQS ${action}: ${code} (${status}): ${message}`);
    this.name = 'SqsApiError';
    this.code = code;
    this.status = status;
  }
}

/** One SQS message as ReceiveMessage returns it (the fields the harness reads). */
export interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
}

/** An unsigned SQS JSON-protocol client for one endpoint (`http://127.0.0.1:<port>`). */
export class SqsApi {
  readonly endpoint: string;

  constructor(endpoint: string) {
    this.endpoint = endpoint;
  }

  /** Calls `action` with `input`; resolves with the parsed answer, rejects with {@link SqsApiError}. */
  async call<T = Record<string, unknown>>(action: string, input: Record<string, unknown>): Promise<T> {
    const res = await fetch(`${this.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      body: JSON.stringify(input),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!res.ok) {
      const type = typeof parsed['__type'] === 'string' ? parsed['__type'] : 'UnknownError';
      const message = typeof parsed['message'] === 'string' ? parsed['message'] : text.slice(0, 200);
      throw new SqsApiError(action, res.status, type.split('#').pop() ?? type, message);
    }
    return parsed as T;
  }

  /** The queue's URL, or null when it does not exist. */
  async queueUrl(name: string): Promise<string | null> {
    try {
      return (await this.call<{ QueueUrl: string }>('GetQueueUrl', { QueueName: name })).QueueUrl;
    } catch (err) {
      if (err instanceof SqsApiError && /NonExistentQueue|QueueDoesNotExist/.test(err.code)) return null;
      throw err;
    }
  }

  /** URLs of the queues whose names start with `prefix`. */
  async listQueues(prefix: string): Promise<string[]> {
    return (await this.call<{ QueueUrls?: string[] }>('ListQueues', { QueueNamePrefix: prefix, MaxResults: 1000 })).QueueUrls ?? [];
  }

  /** Messages waiting (visible) and in flight (received, not yet deleted). */
  async counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const { Attributes: a = {} } = await this.call<{ Attributes?: Record<string, string> }>('GetQueueAttributes', {
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    });
    return { visible: Number(a['ApproximateNumberOfMessages'] ?? 0), inFlight: Number(a['ApproximateNumberOfMessagesNotVisible'] ?? 0) };
  }

  async receive(queueUrl: string, max: number, waitSeconds: number): Promise<SqsMessage[]> {
    return (await this.call<{ Messages?: SqsMessage[] }>('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: waitSeconds })).Messages ?? [];
  }

  async delete(queueUrl: string, receiptHandle: string): Promise<void> {
    await this.call('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: receiptHandle });
  }

  /** SendMessageBatch of up to 10 bodies; throws when any entry failed. */
  async sendBatch(queueUrl: string, bodies: readonly string[]): Promise<void> {
    const entries = bodies.map((body, i) => ({ Id: String(i), MessageBody: body }));
    const out = await this.call<{ Failed?: { Id: string; Code?: string; Message?: string }[] }>('SendMessageBatch', { QueueUrl: queueUrl, Entries: entries });
    const failed = out.Failed ?? [];
    if (failed.length > 0) throw new Error(`SendMessageBatch: ${failed.length} of ${bodies.length} failed (${failed[0]?.Code ?? '?'}: ${failed[0]?.Message ?? ''})`);
  }

  async deleteQueue(queueUrl: string): Promise<void> {
    await this.call('DeleteQueue', { QueueUrl: queueUrl });
  }
}
