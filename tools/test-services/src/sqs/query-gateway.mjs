/**
 * An SQS Query-protocol gateway in front of fauxqs, which speaks only the AWS JSON protocol for SQS. boto3 1.26
 * (botocore 1.29) and kombu's async SQS connection send form-encoded `Action=…&Version=2012-11-05&…` (POST body or GET
 * query string, to the endpoint or to the queue URL itself) and parse XML answers; the gateway turns such a request
 * into the JSON action (`app.inject` with `x-amz-target`), and fauxqs's JSON answer into the XML botocore parses.
 * Form-encoded requests whose Action is not an SQS one (SNS, STS) and JSON requests go to fauxqs untouched.
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { URL } from 'node:url';
import { QUERY_ERROR_CODES, SQS_QUERY_ACTIONS } from './query-shapes.mjs';

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** A request the gateway cannot translate (a malformed number). */
class QueryInputError extends Error {}

function join(prefix, name) {
  return prefix ? `${prefix}.${name}` : name;
}

function memberName(jsonName, shape) {
  return typeof shape === 'object' && shape.type !== 'struct' ? shape.name : jsonName;
}

function scalar(raw, type, key) {
  if (type === 'integer') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n)) throw new QueryInputError(`${key}: '${raw}' is not an integer`);
    return n;
  }
  if (type === 'boolean') return raw === 'true';
  return raw;
}

function readValue(params, key, shape) {
  if (typeof shape === 'string') {
    const raw = params.get(key);
    return raw === undefined ? undefined : scalar(raw, shape, key);
  }
  if (shape.type === 'struct') return readStruct(params, key, shape);
  if (shape.type === 'list') {
    const items = [];
    for (let i = 1; ; i++) {
      const item = readValue(params, `${key}.${i}`, shape.member);
      if (item === undefined) break;
      items.push(item);
    }
    // kombu's async GetQueueAttributes sends `AttributeName=All`, without an index.
    if (items.length === 0 && typeof shape.member === 'string' && params.has(key)) items.push(scalar(params.get(key), shape.member, key));
    return items.length > 0 ? items : undefined;
  }
  const entries = {};
  let count = 0;
  for (let i = 1; ; i++) {
    const name = params.get(`${key}.${i}.${shape.keyName}`);
    if (name === undefined) break;
    entries[name] = readValue(params, `${key}.${i}.${shape.valueName}`, shape.value) ?? '';
    count++;
  }
  return count > 0 ? entries : undefined;
}

function readStruct(params, prefix, shape) {
  const out = {};
  let count = 0;
  for (const [jsonName, member] of Object.entries(shape.members)) {
    const value = readValue(params, join(prefix, memberName(jsonName, member)), member);
    if (value === undefined) continue;
    out[jsonName] = value;
    count++;
  }
  return count > 0 ? out : undefined;
}

function escapeXml(text) {
  return text.replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' })[c]);
}

function writeMember(name, value, shape) {
  if (value === undefined || value === null) return '';
  if (typeof shape === 'string') return `<${name}>${escapeXml(String(value))}</${name}>`;
  if (shape.type === 'struct') return `<${name}>${writeStruct(value, shape)}</${name}>`;
  if (shape.type === 'list') return value.map((item) => writeMember(shape.name, item, shape.member)).join('');
  return Object.entries(value)
    .map(([k, v]) => `<${shape.name}><${shape.keyName}>${escapeXml(k)}</${shape.keyName}>${writeMember(shape.valueName, v, shape.value)}</${shape.name}>`)
    .join('');
}

function writeStruct(value, shape) {
  return Object.entries(shape.members)
    .map(([jsonName, member]) => writeMember(memberName(jsonName, member), value[jsonName], member))
    .join('');
}

function metadata() {
  return `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
}

function successXml(action, output, json) {
  const result = output ? `<${action}Result>${writeStruct(json, output)}</${action}Result>` : '';
  return `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${result}${metadata()}</${action}Response>`;
}

function errorXml(type, code, message) {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message><Detail/></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

/** The request's parameters: the query string's, then the form body's. */
function requestParams(request) {
  const params = new Map(new URL(request.url, 'http://gateway').searchParams);
  const body = request.body;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') params.set(key, value);
  }
  return params;
}

/**
 * The URL under which fauxqs knows the queue `url` names: fauxqs matches queue URLs exactly, so a URL with another
 * host (`localhost` for `127.0.0.1`, AWS's `sqs.<region>.…` form) is mapped by the queue's name (the last path segment).
 */
export function canonicalQueueUrl(store, url) {
  if (store.getQueue(url)) return url;
  let name;
  try {
    name = new URL(url).pathname.split('/').filter(Boolean).pop();
  } catch {
    return url;
  }
  const queue = name === undefined ? undefined : store.getQueueByName(name);
  return queue ? queue.url : url;
}

/** Runs one Query request through fauxqs's JSON API and renders the answer as SQS's XML. */
async function translate(app, store, request, action, params) {
  const spec = SQS_QUERY_ACTIONS[action];
  let input;
  try {
    input = readStruct(params, '', spec.input) ?? {};
  } catch (err) {
    if (err instanceof QueryInputError) return { status: 400, xml: errorXml('Sender', 'InvalidParameterValue', err.message) };
    throw err;
  }
  const path = new URL(request.url, 'http://gateway').pathname;
  const host = request.headers.host ?? '127.0.0.1';
  // kombu posts ReceiveMessage (and sends other actions) to the queue URL itself, without a QueueUrl parameter.
  if ('QueueUrl' in spec.input.members && input.QueueUrl === undefined && path !== '/') input.QueueUrl = `http://${host}${path}`;
  if (typeof input.QueueUrl === 'string') input.QueueUrl = canonicalQueueUrl(store, input.QueueUrl);

  const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, host };
  // fauxqs reads the region from the SigV4 credential scope; presigned GETs carry it in the query string.
  const credential = params.get('X-Amz-Credential');
  if (request.headers.authorization) headers.authorization = request.headers.authorization;
  else if (credential) headers.authorization = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=0`;

  const res = await app.inject({ method: 'POST', url: '/', headers, payload: JSON.stringify(input) });
  const json = res.body ? JSON.parse(res.body) : {};
  if (res.statusCode < 300) return { status: 200, xml: successXml(action, spec.output, json) };
  // fauxqs's `x-amzn-query-error` header prefixes every code with `AWS.SimpleQueueService.`; SQS does so for some only.
  const jsonCode = String(json.__type ?? 'InternalFailure').split('#').pop() ?? 'InternalFailure';
  const queryError = res.headers['x-amzn-query-error'];
  const fault = typeof queryError === 'string' ? queryError.split(';')[1] : undefined;
  const type = fault ?? (res.statusCode >= 500 ? 'Receiver' : 'Sender');
  const code = QUERY_ERROR_CODES[jsonCode] ?? jsonCode;
  return { status: res.statusCode, xml: errorXml(type, code, String(json.message ?? json.Message ?? 'error')) };
}

/**
 * Adds the gateway to a fauxqs app (before it listens): a `preHandler` hook that answers SQS Query requests on any
 * path and method, and maps JSON requests' `QueueUrl` to the URL fauxqs knows (see {@link canonicalQueueUrl}).
 * `store` is the app's `SqsStore`.
 */
export function installQueryGateway(app, store) {
  app.addHook('preHandler', async (request, reply) => {
    const contentType = String(request.headers['content-type'] ?? '');
    if (contentType.includes('application/x-amz-json-1.0')) {
      const body = request.body;
      if (body && typeof body === 'object' && typeof body.QueueUrl === 'string') body.QueueUrl = canonicalQueueUrl(store, body.QueueUrl);
      return;
    }
    const params = requestParams(request);
    const action = params.get('Action');
    if (action === undefined || !Object.hasOwn(SQS_QUERY_ACTIONS, action)) return;
    let answer;
    try {
      answer = await translate(app, store, request, action, params);
    } catch (err) {
      answer = { status: 500, xml: errorXml('Receiver', 'InternalFailure', err instanceof Error ? err.message : String(err)) };
    }
    reply.code(answer.status).header('content-type', 'text/xml').send(answer.xml);
    return reply;
  });
}
