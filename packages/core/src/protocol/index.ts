export type * from './task-message.js';
export { pyJsonParse, pyJsonStringify, pyJsonString, pyNumber } from './python-json.js';
export { PyTuple, argsRepr, kwargsRepr, pyStrRepr, pythonRepr } from './repr.js';
export { naiveUtcIso, parseIsoDate, toIsoWithOffset } from './time.js';
export { oid, originName, uuid, uuid3 } from './ids.js';
export {
  encodeException,
  encodedNotRegistered,
  encodedRetry,
  encodedTaskRevoked,
  encodedWorkerLost,
  formatTraceback,
  hardTimeLimitError,
  isEncodedException,
  toRemoteError,
} from './exceptions.js';
export { emptyEmbed, encodeTaskMessage, newTaskMessage, taskBody, taskHeaders } from './encode-task.js';
export { decodeTaskMessage, decodeTaskMessageNow } from './decode-task.js';
export type { DecodedEnvelope, EnvelopeFields } from './envelope.js';
export { decodeEnvelope, encodeEnvelope, markRedelivered } from './envelope.js';
export type { ResultTuple } from './result-document.js';
export {
  decodeGroupMeta,
  decodeResultDocument,
  encodeGroupMeta,
  encodeResultDocument,
  encodeRpcResult,
  groupResultTuple,
  groupTaskIds,
  readResultTuple,
  resultTuple,
} from './result-document.js';
