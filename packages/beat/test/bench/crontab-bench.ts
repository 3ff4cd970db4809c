/**
 * crontab `nextAfter` throughput (`pnpm --filter @q/bench bench:beat`; not a test, no assertion): computations per
 * second for a few kinds of expression, each over 200,000 instants spread over 2026–2030, after a warm-up. Issue 17
 * asks for ≥ 200,000/s on the CI machine. `BEAT_BENCH_N` changes the count.
 */
import { crontab } from '../../src/index.js';
import type { CrontabFields } from '../../src/index.js';

const N = Number(process.env['BEAT_BENCH_N'] ?? 200_000);
const FROM = Date.parse('2026-01-01T00:00:00Z');
const SPAN = Date.parse('2031-01-01T00:00:00Z') - FROM;

const ROWS: readonly [string, CrontabFields | string, string][] = [
  ['every 15 min, UTC', '*/15 * * * *', 'UTC'],
  ['04:00 daily, Europe/London', '0 4 * * *', 'Europe/London'],
  ['office hours mon-fri, America/New_York', '*/10 9-17 * * mon-fri', 'America/New_York'],
  ['Friday the 13th (day of month AND week), Australia/Sydney', '0 0 13 * fri', 'Australia/Sydney'],
  ['February 29 on a Monday, UTC', '0 0 29 2 mon', 'UTC'],
];

/** A fixed pseudo-random sequence of instants (the same every run). */
function instants(n: number): Date[] {
  let seed = 17;
  const out: Date[] = [];
  for (let i = 0; i < n; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    out.push(new Date(FROM + Math.floor((seed / 2_147_483_648) * SPAN)));
  }
  return out;
}

const inputs = instants(N);
let sink = 0;
console.log(`crontab nextAfter, ${N.toLocaleString('en')} instants per row`);
for (const [label, fields, timezone] of ROWS) {
  const schedule = crontab(fields, { timezone });
  for (const d of inputs.slice(0, 20_000)) sink += schedule.nextAfter(d).getTime(); // warm-up
  const start = process.hrtime.bigint();
  for (const d of inputs) sink += schedule.nextAfter(d).getTime();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(60)} ${Math.round(N / seconds).toLocaleString('en').padStart(12)} /s`);
}
if (sink === 0) console.log('(unreachable)');
