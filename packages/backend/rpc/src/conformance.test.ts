/** The rpc backend passes the result-backend conformance suite over the memory transport (caller-read results). */
import { resultBackendSuite } from '@q/conformance';
import { attachedBackend, memoryTransport, namespace, replyToOf } from '../test/support.js';

resultBackendSuite('rpc backend (memory transport)', async () => attachedBackend(() => memoryTransport(namespace())), { replyTo: replyToOf });
