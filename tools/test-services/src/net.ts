/** Ports for tests that start a server of their own (a private RabbitMQ node, a TLS redis-server). */
import { connect, createServer } from 'node:net';

/** A free TCP port on `host` (the kernel's pick; released before use, so take it soon). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * True when this machine can listen on `host`:`port` now: a port nobody holds, or (port 0) an address it has
 * (e.g. `127.0.0.2`, which Linux routes to loopback and macOS does not).
 */
export function canListen(host: string, port = 0): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** True when something accepts TCP connections on `host`:`port` (within 500 ms). */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
