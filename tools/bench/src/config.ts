/**
 * What one benchmark run measures: the brokers it uses (Redis db 5 only, the RabbitMQ vhost `q-bench` only, an SQS
 * emulator and a redis-server of its own), the counts, and the time bounds. `--quick` scales every count down for a smoke run (numbers from it are not
 * meaningful).
 */

/** The only Redis the benchmark touches: local, database 5. It is flushed before each scenario and at the end. */
export const REDIS_URL = 'redis://127.0.0.1:6379/5';
export const REDIS_DB = 5;

/** The bench's own RabbitMQ vhost: created at start, emptied between scenarios, deleted at the end. */
export const AMQP_VHOST = 'q-bench';
export const AMQP_URL = `amqp://guest:guest@127.0.0.1:5672/${AMQP_VHOST}`;
/** The harness's reply queue on RabbitMQ: pre-loaded tasks name it as `reply_to`, their rpc results land in it. */
export const REPLY_QUEUE = 'q-bench.replies';

/** The brokers a run can cover, in the order `--broker=all` runs them. */
export const BROKERS = ['redis', 'amqp', 'sqs'] as const;
export type BrokerName = (typeof BROKERS)[number];

/** The queue every system consumes (Celery's default, also q's). */
export const QUEUE = 'celery';
/** BullMQ's queue name (keys `bull:bench:*`). */
export const BULL_QUEUE = 'bench';
/** The no-op task's registered name (Celery and q). */
export const TASK_NAME = 'bench.noop';

export interface Counts {
  /** Tasks sent by each client in the enqueue scenario. */
  enqueue: number;
  /** Pre-enqueued tasks drained with results off. */
  drain: number;
  /** Pre-enqueued tasks drained with results stored (Redis) or sent (RabbitMQ, rpc). */
  drainResults: number;
  /** Sequential apply → result calls. */
  roundTrip: number;
  /** Round trips before the timed ones (wait for the worker, warm up). */
  roundTripWarmup: number;
  /** Header tasks of the chord scenario (Redis only). */
  chord: number;
  /** Header tasks of the warm-up chord before the timed one (workers-running mode). */
  chordWarmup: number;
}

export const FULL: Counts = { enqueue: 20_000, drain: 20_000, drainResults: 10_000, roundTrip: 1_000, roundTripWarmup: 50, chord: 10_000, chordWarmup: 100 };
export const QUICK: Counts = { enqueue: 2_000, drain: 2_000, drainResults: 1_000, roundTrip: 100, roundTripWarmup: 10, chord: 1_000, chordWarmup: 10 };

/**
 * SQS (the emulator) has counts of its own: issue 18 §5 drains 5,000 tasks there, and every SQS request is an HTTP
 * round trip (Celery's client sends a few hundred tasks a second), so the other counts are smaller too. No chord.
 */
export const SQS_FULL: Counts = { enqueue: 2_000, drain: 5_000, drainResults: 2_000, roundTrip: 300, roundTripWarmup: 20, chord: 0, chordWarmup: 0 };
export const SQS_QUICK: Counts = { enqueue: 200, drain: 500, drainResults: 200, roundTrip: 50, roundTripWarmup: 5, chord: 0, chordWarmup: 0 };

/** The counts of one broker's part of a run. */
export function countsFor(broker: BrokerName, quick: boolean): Counts {
  if (broker === 'sqs') return quick ? SQS_QUICK : SQS_FULL;
  return quick ? QUICK : FULL;
}

/** Time bounds (ms). Every wait in the harness is bounded by one of these. */
export const LIMITS = {
  /** A worker must take its first message within this after spawning. */
  workerStartMs: 30_000,
  /** One scenario (enqueue, drain or round trip) of one peer, once started. */
  scenarioMs: 180_000,
  /** Warm shutdown before the process group gets SIGKILL. */
  stopGraceMs: 4_000,
  /** Drain progress poll interval. */
  pollMs: 5,
  /** A client script (Python) gets this long in total. */
  clientMs: 120_000,
  /** A chord client (warm-up and timed chord; Celery's run about 30 s) gets this long in total. */
  chordClientMs: 300_000,
} as const;

/** The systems `--only` may name. */
export const SYSTEM_NAMES = ['q', 'celery', 'bullmq', 'amqplib'] as const;

/**
 * The scenarios `--scenario` may name; `chord` runs on Redis only (q and Celery); `log-level` (q async's drain with
 * results at INFO vs WARNING) runs only when named.
 */
export const SCENARIO_NAMES = ['enqueue', 'drain', 'round-trip', 'chord', 'log-level'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
/** What a run without `--scenario` runs. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ['enqueue', 'drain', 'round-trip', 'chord'];

/** Run options from the command line. */
export interface RunOptions {
  quick: boolean;
  counts: Counts;
  /** The brokers to run, in order (default all). */
  brokers: readonly BrokerName[];
  /** Only these systems (default all). */
  only: ReadonlySet<string> | null;
  /** The scenarios to run (default all). */
  scenarios: ReadonlySet<ScenarioName>;
  /** Write docs/benchmarks.md, the section of each broker run (default true unless --quick or --only). */
  writeDocs: boolean;
  /** Run q workers with `--cpu-prof` and keep the profiles in tools/bench/. */
  profile: boolean;
}

/** What `--help` prints. */
export const USAGE = `usage: pnpm bench [options]
  --broker=redis|amqp|sqs|all   brokers to run (default all; sqs: an emulator the bench starts itself)
  --only=${SYSTEM_NAMES.join(',')}   systems to run (default all; implies --no-docs)
  --scenario=${SCENARIO_NAMES.join(',')}   scenarios to run (default all but log-level; implies --no-docs)
  --quick                   small counts, for a smoke run (implies --no-docs)
  --no-docs | --docs        write docs/benchmarks.md or not (default: write on a full run)
  --profile                 run q workers with --cpu-prof, keep the profiles in tools/bench/
  --help                    this text`;

/**
 * Parses `--quick`, `--broker=redis|amqp|sqs|all`, `--only=q,celery,bullmq,amqplib`,
 * `--scenario=enqueue,drain,round-trip,chord`, `--no-docs`, `--docs`, `--profile`.
 */
export function parseArgs(argv: readonly string[]): RunOptions {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',').filter(Boolean)) : null;
  for (const name of only ?? []) {
    if (!(SYSTEM_NAMES as readonly string[]).includes(name)) throw new Error(`--only: unknown system ${name} (${SYSTEM_NAMES.join(', ')})`);
  }
  const scenarioArg = argv.find((a) => a.startsWith('--scenario='));
  const scenarioList = scenarioArg ? scenarioArg.slice('--scenario='.length).split(',').filter(Boolean) : [...DEFAULT_SCENARIOS];
  for (const name of scenarioList) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) throw new Error(`--scenario: unknown scenario ${name} (${SCENARIO_NAMES.join(', ')})`);
  }
  const scenarios = new Set(scenarioList as ScenarioName[]);
  const brokerArg = argv.find((a) => a.startsWith('--broker='))?.slice('--broker='.length) ?? 'all';
  if (brokerArg !== 'all' && !(BROKERS as readonly string[]).includes(brokerArg)) throw new Error(`--broker: unknown broker ${brokerArg} (${BROKERS.join(', ')}, all)`);
  const brokers = brokerArg === 'all' ? BROKERS : [brokerArg as BrokerName];
  const known = ['--quick', '--no-docs', '--docs', '--profile'];
  const unknown = argv.filter((a) => !known.includes(a) && !a.startsWith('--only=') && !a.startsWith('--scenario=') && !a.startsWith('--broker=') && a !== '--');
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')} (known: ${known.join(' ')} --broker=${BROKERS.join('|')}|all --only=${SYSTEM_NAMES.join(',')} --scenario=${SCENARIO_NAMES.join(',')})`);
  const writeDocs = argv.includes('--docs') || (!quick && !only && !scenarioArg && !argv.includes('--no-docs'));
  return { quick, counts: quick ? QUICK : FULL, brokers, only, scenarios, writeDocs, profile: argv.includes('--profile') };
}
