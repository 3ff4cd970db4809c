/**
 * The SQS actions the Query-protocol gateway translates, with the shapes of their input and output: a compact copy of
 * what botocore's model (`botocore/data/sqs/2012-11-05/service-2.json`, query protocol) says about their members.
 * Lists and maps are flattened, as SQS serialises them (`AttributeName.1`, `Attribute.1.Name`/`Attribute.1.Value`,
 * repeated `<QueueUrl>` elements); `name` is the member's query/XML name (`locationName`), when it differs from the
 * JSON one.
 */

/** @typedef {'string' | 'integer' | 'boolean' | 'blob'} Scalar */
/** @typedef {{ type: 'list', name: string, member: Shape }} ListShape */
/** @typedef {{ type: 'map', name: string, keyName: string, valueName: string, value: Shape }} MapShape */
/** @typedef {{ type: 'struct', members: Record<string, Shape> }} StructShape */
/** @typedef {Scalar | ListShape | MapShape | StructShape} Shape */

const S = 'string';
const I = 'integer';
const B = 'boolean';
const BLOB = 'blob';

/** @returns {ListShape} */
const list = (name, member) => ({ type: 'list', name, member });
/** @returns {MapShape} */
const map = (name, keyName, valueName, value) => ({ type: 'map', name, keyName, valueName, value });
/** @returns {StructShape} */
const struct = (members) => ({ type: 'struct', members });

const attributeValue = struct({
  StringValue: S,
  BinaryValue: BLOB,
  StringListValues: list('StringListValue', S),
  BinaryListValues: list('BinaryListValue', BLOB),
  DataType: S,
});
const messageAttributes = map('MessageAttribute', 'Name', 'Value', attributeValue);
const messageSystemAttributes = map('MessageSystemAttribute', 'Name', 'Value', attributeValue);
const queueAttributes = map('Attribute', 'Name', 'Value', S);
const tags = map('Tag', 'Key', 'Value', S);
const batchErrors = list('BatchResultErrorEntry', struct({ Id: S, SenderFault: B, Code: S, Message: S }));
const queueUrl = { QueueUrl: S };
const sendFields = {
  MessageBody: S,
  DelaySeconds: I,
  MessageAttributes: messageAttributes,
  MessageSystemAttributes: messageSystemAttributes,
  MessageDeduplicationId: S,
  MessageGroupId: S,
};
const sentFields = { MessageId: S, MD5OfMessageBody: S, MD5OfMessageAttributes: S, MD5OfMessageSystemAttributes: S, SequenceNumber: S };

/**
 * Action name → `{ input, output }`; `output` is null for actions whose response has no `<…Result>` element.
 * @type {Record<string, { input: StructShape, output: StructShape | null }>}
 */
export const SQS_QUERY_ACTIONS = {
  ListQueues: {
    input: struct({ QueueNamePrefix: S, NextToken: S, MaxResults: I }),
    output: struct({ QueueUrls: list('QueueUrl', S), NextToken: S }),
  },
  GetQueueUrl: { input: struct({ QueueName: S, QueueOwnerAWSAccountId: S }), output: struct(queueUrl) },
  CreateQueue: { input: struct({ QueueName: S, Attributes: queueAttributes, tags }), output: struct(queueUrl) },
  DeleteQueue: { input: struct(queueUrl), output: null },
  PurgeQueue: { input: struct(queueUrl), output: null },
  GetQueueAttributes: {
    input: struct({ ...queueUrl, AttributeNames: list('AttributeName', S) }),
    output: struct({ Attributes: queueAttributes }),
  },
  SetQueueAttributes: { input: struct({ ...queueUrl, Attributes: queueAttributes }), output: null },
  SendMessage: { input: struct({ ...queueUrl, ...sendFields }), output: struct(sentFields) },
  SendMessageBatch: {
    input: struct({ ...queueUrl, Entries: list('SendMessageBatchRequestEntry', struct({ Id: S, ...sendFields })) }),
    output: struct({ Successful: list('SendMessageBatchResultEntry', struct({ Id: S, ...sentFields })), Failed: batchErrors }),
  },
  ReceiveMessage: {
    input: struct({
      ...queueUrl,
      AttributeNames: list('AttributeName', S),
      MessageSystemAttributeNames: list('MessageSystemAttributeName', S),
      MessageAttributeNames: list('MessageAttributeName', S),
      MaxNumberOfMessages: I,
      VisibilityTimeout: I,
      WaitTimeSeconds: I,
      ReceiveRequestAttemptId: S,
    }),
    output: struct({
      Messages: list(
        'Message',
        struct({
          MessageId: S,
          ReceiptHandle: S,
          MD5OfBody: S,
          Body: S,
          Attributes: queueAttributes,
          MD5OfMessageAttributes: S,
          MessageAttributes: messageAttributes,
        }),
      ),
    }),
  },
  DeleteMessage: { input: struct({ ...queueUrl, ReceiptHandle: S }), output: null },
  DeleteMessageBatch: {
    input: struct({ ...queueUrl, Entries: list('DeleteMessageBatchRequestEntry', struct({ Id: S, ReceiptHandle: S })) }),
    output: struct({ Successful: list('DeleteMessageBatchResultEntry', struct({ Id: S })), Failed: batchErrors }),
  },
  ChangeMessageVisibility: { input: struct({ ...queueUrl, ReceiptHandle: S, VisibilityTimeout: I }), output: null },
  ChangeMessageVisibilityBatch: {
    input: struct({
      ...queueUrl,
      Entries: list('ChangeMessageVisibilityBatchRequestEntry', struct({ Id: S, ReceiptHandle: S, VisibilityTimeout: I })),
    }),
    output: struct({ Successful: list('ChangeMessageVisibilityBatchResultEntry', struct({ Id: S })), Failed: batchErrors }),
  },
  TagQueue: { input: struct({ ...queueUrl, Tags: tags }), output: null },
  UntagQueue: { input: struct({ ...queueUrl, TagKeys: list('TagKey', S) }), output: null },
  ListQueueTags: { input: struct(queueUrl), output: struct({ Tags: tags }) },
};

/**
 * Query-protocol error codes that differ from the JSON ones (botocore's model, `error.code` of the exception shapes);
 * every other code is the same in both.
 * @type {Record<string, string>}
 */
export const QUERY_ERROR_CODES = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  QueueDeletedRecently: 'AWS.SimpleQueueService.QueueDeletedRecently',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};
