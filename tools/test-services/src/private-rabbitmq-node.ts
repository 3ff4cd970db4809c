/**
 * A private RabbitMQ node for tests that must stop and start a broker or configure it: its own node name, AMQP and
 * distribution ports (outside the ephemeral range, so no client socket takes them while the node is down), data,
 * logs, Erlang cookie, config and plugin files, all in a temp dir. The machine's shared node (5672) is never touched.
 * The config files are empty unless the caller gives `rabbitmq.conf` / `advanced.config` contents and plugins
 * ({@link PrivateNodeOptions}); it can also reserve a second port for a TLS listener.
 *
 * The RabbitMQ scripts are run directly from their install dir (Debian's `/usr/sbin` wrappers would `su` to the
 * `rabbitmq` user and its cookie); `HOME` is the temp dir, so the node and `rabbitmqctl` share the cookie there.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { canListen, portOpen } from './net.js';

/** Where a node lives, for config contents that name its files or ports. */
export interface PrivateNodeLayout {
  /** The node's temp dir (removed by `destroy()`): a place for certificates the config names. */
  readonly dir: string;
  /** AMQP port on 127.0.0.1. */
  readonly port: number;
  /** The reserved TLS port, or `null` unless `tlsPort: true` was given. */
  readonly tlsPort: number | null;
}

/** How to configure a private node (all optional: by default empty config files and no plugins). */
export interface PrivateNodeOptions {
  /**
   * `rabbitmq.conf` contents (sysctl format), e.g. `listeners.ssl.default = 127.0.0.1:${tlsPort}` and `ssl_options.*`.
   * The plain AMQP listener is set by environment variables, not here.
   */
  rabbitmqConf?: string | ((layout: PrivateNodeLayout) => string);
  /** `advanced.config` contents (an Erlang term ending in `.`), for settings `rabbitmq.conf` has no key for. */
  advancedConfig?: string | ((layout: PrivateNodeLayout) => string);
  /** Plugins to enable (written to the node's own `enabled_plugins`), e.g. `rabbitmq_auth_mechanism_ssl`. */
  plugins?: readonly string[];
  /** Reserve a second free port (`node.tlsPort`) for a TLS listener the caller's `rabbitmqConf` opens. */
  tlsPort?: boolean;
}

/** A RabbitMQ node of the test's own. */
export interface PrivateNode extends PrivateNodeLayout {
  /** Erlang node name, e.g. `q-restart-1234@localhost`. */
  readonly nodename: string;
  /** `amqp://guest:guest@127.0.0.1:<port>//` (the default vhost). */
  readonly url: string;
  /** True while the node's process runs. */
  readonly running: boolean;
  /** Boots the node and waits until it accepts AMQP (and TLS) connections; resolves to the boot time in ms. */
  start(): Promise<number>;
  /** Stops the node gracefully (`rabbitmqctl stop`, as a broker restart does) and waits for its process to exit. */
  stop(): Promise<void>;
  /** Runs `rabbitmqctl -n <node> <args>`; rejects on failure. */
  ctl(args: string[]): Promise<string>;
  /** `rabbitmqctl list_queues -p / <columns>` as rows of cells. */
  queues(columns: string[]): Promise<string[][]>;
  /** Stops (or kills) the node and removes its temp dir. Safe to call twice. */
  destroy(): Promise<void>;
}

/** The dir holding the real `rabbitmq-server` and `rabbitmqctl` scripts, or `null` when RabbitMQ is not installed. */
export function rabbitmqBinDir(): string | null {
  const candidates = ['/usr/lib/rabbitmq/bin'];
  const which = spawnSync('sh', ['-c', 'command -v rabbitmq-server'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  if (found !== '') {
    const real = realpathSync(found);
    // Debian's wrapper su's to the rabbitmq user; a generic install's sbin holds the scripts themselves.
    if (!real.endsWith('rabbitmq-script-wrapper')) candidates.push(dirname(real));
  }
  return candidates.find((dir) => existsSync(join(dir, 'rabbitmq-server')) && existsSync(join(dir, 'rabbitmqctl'))) ?? null;
}

/** A free port below the kernel's ephemeral range (where outgoing sockets never get their local port). */
async function freeFixedPort(taken: readonly number[]): Promise<number> {
  let low = 32_768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: keep the usual default
  }
  for (let i = 0; i < 100; i++) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, low - 10_000));
    if (!taken.includes(port) && port !== 5672 && port !== 15_672 && port !== 25_672 && (await canListen('0.0.0.0', port))) return port;
  }
  throw new Error('no free port for the private RabbitMQ node');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Creates (does not start) a private node named `<name>-<pid>@localhost` in a fresh temp dir, its config files
 * written from `options`.
 * @param binDir from {@link rabbitmqBinDir}.
 */
export async function privateNode(name: string, binDir: string, options: PrivateNodeOptions = {}): Promise<PrivateNode> {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const cookie = join(dir, '.erlang.cookie');
  writeFileSync(cookie, randomBytes(24).toString('hex').toUpperCase());
  chmodSync(cookie, 0o400);
  const port = await freeFixedPort([]);
  const distPort = await freeFixedPort([port]);
  const tlsPort = options.tlsPort === true ? await freeFixedPort([port, distPort]) : null;
  const layout: PrivateNodeLayout = { dir, port, tlsPort };
  const contents = (given: PrivateNodeOptions['rabbitmqConf'], empty: string): string =>
    given === undefined ? empty : typeof given === 'string' ? given : given(layout);
  writeFileSync(join(dir, 'enabled_plugins'), `[${(options.plugins ?? []).join(',')}].\n`);
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, 'rabbitmq.conf'), contents(options.rabbitmqConf, ''));
  writeFileSync(join(dir, 'advanced.config'), contents(options.advancedConfig, '[].\n'));
  const nodename = `${name}-${process.pid}@localhost`;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('RABBITMQ_') && !k.startsWith('ERL_') && k !== 'RUNNING_UNDER_SYSTEMD') env[k] = v;
  Object.assign(env, {
    HOME: dir,
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'node.pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  });

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let destroyed = false;

  const beamPid = (): number | null => {
    try {
      const pid = Number(readFileSync(join(dir, 'node.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  };
  /** Last lines of the node's output and log, for failure messages. */
  const tail = (): string => {
    const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    const text = read(join(dir, 'server.out')) + read(join(dir, 'log', `${nodename}.log`));
    return text.split('\n').slice(-25).join('\n');
  };
  const killNow = (): void => {
    // Only while our child runs: a stale pid file could name an unrelated process.
    if (!node.running) return;
    const pid = beamPid();
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child?.kill('SIGKILL');
  };
  // If the test process dies without running afterAll, do not leave the node behind.
  process.once('exit', killNow);

  const ctl = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(join(binDir, 'rabbitmqctl'), ['-n', nodename, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`rabbitmqctl -n ${nodename} ${args.join(' ')} failed: ${stdout}${stderr}${err.message}`));
        else resolve(stdout);
      });
    });

  const node: PrivateNode = {
    nodename,
    dir,
    port,
    tlsPort,
    url: `amqp://guest:guest@127.0.0.1:${port}//`,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (node.running) throw new Error(`${nodename} is already running`);
      const t0 = Date.now();
      const out = openSync(join(dir, 'server.out'), 'a');
      const proc = spawn(join(binDir, 'rabbitmq-server'), [], { env, cwd: dir, stdio: ['ignore', out, out] });
      closeSync(out);
      child = proc;
      exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      const deadline = t0 + 45_000;
      while (!(await portOpen(port))) {
        if (!node.running) throw new Error(`private RabbitMQ ${nodename} exited while booting:\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`private RabbitMQ ${nodename} did not open port ${port} within 45 s:\n${tail()}`);
        await sleep(100);
      }
      await ctl(['await_startup', '--timeout', '30']);
      // The TLS listener starts with the others; a config that did not open it shows here, not as a client's error.
      while (tlsPort !== null && !(await portOpen(tlsPort))) {
        if (Date.now() > deadline) throw new Error(`private RabbitMQ ${nodename} did not open its TLS port ${tlsPort}:\n${tail()}`);
        await sleep(100);
      }
      return Date.now() - t0;
    },
    async stop() {
      if (!node.running) return;
      await ctl(['stop']);
      const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
      if (!done) {
        killNow();
        await exited;
      }
    },
    ctl,
    async queues(columns) {
      return (await ctl(['-q', 'list_queues', '-p', '/', '--no-table-headers', ...columns]))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.split('\t'));
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        if (node.running) await node.stop();
      } catch {
        killNow();
        await Promise.race([exited, sleep(5_000)]);
      } finally {
        process.off('exit', killNow);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return node;
}
