/** The results of one broker as Markdown: run facts, a summary against the targets and the peers, the tables. */
import os from 'node:os';
import type { SystemName } from '../peers/types.js';
import { peakOf } from '../results.js';
import type { ConfigResults, Outcome, RunResults } from '../results.js';
import { PROFILES } from './profiles.js';
import type { Earlier, Targets } from './profiles.js';

const MB = 1024 * 1024;
const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const ms = (v: number): string => v.toFixed(v < 10 ? 2 : 1);
const mb = (bytes: number): string => (bytes / MB).toFixed(1);

function cell<T>(o: Outcome<T> | undefined, show: (v: T) => string): string {
  if (!o) return 'n/a';
  return o.ok ? show(o.value) : `failed: ${o.error.slice(0, 60)}`;
}

type Metric = 'drain' | 'drainResults' | 'p50' | 'p99' | 'rss';
interface MetricSpec {
  key: Metric;
  title: string;
  higherIsBetter: boolean;
  unit: (v: number) => string;
}

function metrics(resultsTitle: string): MetricSpec[] {
  return [
    { key: 'drain', title: 'drain, results off (tasks/s)', higherIsBetter: true, unit: int },
    { key: 'drainResults', title: resultsTitle, higherIsBetter: true, unit: int },
    { key: 'p50', title: 'round trip p50 (ms)', higherIsBetter: false, unit: ms },
    { key: 'p99', title: 'round trip p99 (ms)', higherIsBetter: false, unit: ms },
    { key: 'rss', title: 'worker peak RSS (MB)', higherIsBetter: false, unit: mb },
  ];
}

function metricOf(r: ConfigResults, key: Metric): number | null {
  switch (key) {
    case 'drain':
      return r.drain?.ok ? r.drain.value.perSecond : null;
    case 'drainResults':
      return r.drainResults?.ok ? r.drainResults.value.perSecond : null;
    case 'p50':
      return r.roundTrip?.ok ? r.roundTrip.value.p50Ms : null;
    case 'p99':
      return r.roundTrip?.ok ? r.roundTrip.value.p99Ms : null;
    case 'rss':
      return peakOf(r)?.total ?? null;
  }
}

/** The best value of a system for a metric, with the configuration it came from. */
function best(results: RunResults, system: SystemName, key: Metric, higher: boolean): { value: number; label: string } | null {
  let out: { value: number; label: string } | null = null;
  for (const r of results.configs.filter((c) => c.system === system)) {
    const v = metricOf(r, key);
    if (v === null) continue;
    if (!out || (higher ? v > out.value : v < out.value)) out = { value: v, label: r.config.label };
  }
  return out;
}

const ratio = (a: number | null | undefined, b: number | null | undefined): string => (a == null || b == null || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);
const fmt = (v: number | null, f: (v: number) => string): string => (v === null ? 'n/a' : f(v));
const meets = (v: number | null, target: number, higher: boolean): string => (v === null ? 'n/a' : (higher ? v >= target : v <= target) ? 'yes' : '**no**');

function enqueueOf(results: RunResults, system: SystemName): number | null {
  const o = results.enqueue.get(system);
  return o?.ok ? o.value.perSecond : null;
}

function enqueueTable(results: RunResults): string {
  const rows = [...results.enqueue.entries()].map(([system, o]) => `| ${system} | ${cell(o, (v) => int(v.perSecond))} | ${cell(o, (v) => v.method)} |`);
  return ['| client | tasks/s | how |', '|---|---:|---|', ...rows].join('\n');
}

function configTable(results: RunResults, specs: readonly MetricSpec[]): string {
  const head = `| worker | ${specs.map((m) => m.title).join(' | ')} |`;
  const rows = results.configs.map((r) => {
    const rss = peakOf(r);
    const rssCell = rss ? `${mb(rss.total)}${rss.children.length > 0 ? ` (main ${mb(rss.main)} + ${rss.children.length} children ${rss.children.map(mb).join(' + ')})` : ''}` : 'n/a';
    return `| ${r.config.label} | ${cell(r.drain, (v) => int(v.perSecond))} | ${cell(r.drainResults, (v) => int(v.perSecond))} | ${cell(r.roundTrip, (v) => ms(v.p50Ms))} | ${cell(r.roundTrip, (v) => ms(v.p99Ms))} | ${rssCell} |`;
  });
  return [head, `|---|${specs.map(() => '---:').join('|')}|`, ...rows].join('\n');
}

function summaryTable(results: RunResults, specs: readonly MetricSpec[], targets: Targets): string {
  const peers = results.systems.filter((s) => s.name !== 'q');
  const lines = [
    `| metric | target | q (best config) | ${peers.map((p) => `${p.title} (best)`).join(' | ')} | ${peers.map((p) => `q / ${p.title}`).join(' | ')} | q meets target |`,
    `|---|---:|---:|${peers.map(() => '---:|').join('')}${peers.map(() => '---:|').join('')}:---:|`,
  ];
  const targetCell = (t: number | null, higher: boolean, unit: (v: number) => string): string => (t === null ? '—' : `${higher ? '≥' : '≤'} ${unit(t)}`);
  const meetsCell = (v: number | null, t: number | null, higher: boolean): string => (t === null ? '—' : meets(v, t, higher));
  const eq = enqueueOf(results, 'q');
  lines.push(
    `| enqueue (tasks/s) | ${targetCell(targets.enqueue, true, int)} | ${fmt(eq, int)} | ${peers.map((p) => fmt(enqueueOf(results, p.name), int)).join(' | ')} | ${peers.map((p) => ratio(eq, enqueueOf(results, p.name))).join(' | ')} | ${meetsCell(eq, targets.enqueue, true)} |`,
  );
  const byMetric: Record<Metric, number | null> = {
    drain: targets.drain,
    drainResults: targets.drainResults,
    p50: targets.roundTripP50Ms,
    p99: null,
    rss: targets.rssMb === null ? null : targets.rssMb * MB,
  };
  for (const m of specs) {
    const bq = best(results, 'q', m.key, m.higherIsBetter);
    const bp = peers.map((p) => best(results, p.name, m.key, m.higherIsBetter));
    const show = (b: { value: number; label: string } | null): string => (b ? `${m.unit(b.value)} (${b.label})` : 'n/a');
    const target = byMetric[m.key];
    const vsPeer = m.key === 'drain' ? targets.drainVsPeer : undefined;
    if (vsPeer) {
      // A target relative to a peer of this run: q's best ≥ min × the peer's best.
      const title = results.systems.find((s) => s.name === vsPeer.peer)?.title ?? vsPeer.peer;
      const peerBest = best(results, vsPeer.peer, m.key, true)?.value ?? null;
      const met = bq === null || peerBest === null ? 'n/a' : bq.value >= vsPeer.min * peerBest ? 'yes' : '**no**';
      lines.push(`| ${m.title} | ≥ ${vsPeer.min}× ${title} | ${show(bq)} | ${bp.map(show).join(' | ')} | ${bp.map((b) => ratio(bq?.value, b?.value)).join(' | ')} | ${met} |`);
      continue;
    }
    lines.push(
      `| ${m.title} | ${targetCell(target, m.higherIsBetter, m.unit)} | ${show(bq)} | ${bp.map(show).join(' | ')} | ${bp.map((b) => ratio(bq?.value, b?.value)).join(' | ')} | ${meetsCell(bq?.value ?? null, target, m.higherIsBetter)} |`,
    );
  }
  return lines.join('\n');
}

/** This run's peers next to the numbers measured earlier on this machine (the issue's). */
function referenceTable(results: RunResults, earlier: Partial<Record<SystemName, Earlier>>): string {
  const now = (system: SystemName, key: Metric): string => {
    const b = best(results, system, key, key !== 'p50');
    return b ? (key === 'p50' ? ms(b.value) : int(b.value)) : 'n/a';
  };
  const pair = (before: number | null, current: string, f: (v: number) => string): string => `${before === null ? '—' : f(before)} / ${current}`;
  const rows = results.systems.flatMap(({ name, title }) => {
    const e = earlier[name];
    if (!e) return [];
    const enq = enqueueOf(results, name);
    return [
      `| ${title} | ${pair(e.drain, now(name, 'drain'), int)} | ${pair(e.drainResults, now(name, 'drainResults'), int)} | ${pair(e.p50Ms, now(name, 'p50'), ms)} | ${pair(e.enqueue, fmt(enq, int), int)} |`,
    ];
  });
  if (rows.length === 0) return '';
  return [
    'Peers measured earlier on this machine / in this run (best configuration; — not measured then):',
    '',
    '| peer | drain (tasks/s) | with results (tasks/s) | round trip p50 (ms) | enqueue (tasks/s) |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, Linux ${os.release()}`;
}

/** The generated block of one broker, markers included. */
export function renderSection(results: RunResults): string {
  const profile = PROFILES[results.broker];
  const specs = metrics(profile.resultsTitle);
  const versions = Object.entries(results.versions).map(([k, v]) => `- ${k}: ${v}`);
  const reference = referenceTable(results, profile.earlier);
  return [
    profile.begin,
    '',
    `Run of ${results.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${results.quick ? ' (**--quick**: small counts, not meaningful)' : ''}, ${results.seconds.toFixed(0)} s in total.`,
    `Machine: ${machine()}; load average at start ${results.loadAverage.map((l) => l.toFixed(2)).join(', ')} (other work on the machine skews the numbers).`,
    '',
    ...versions,
    '',
    '### Summary: q against the best configuration of each peer',
    '',
    'Ratios are q / peer: above 1× is better for throughput, below 1× is better for latency and memory.',
    '',
    summaryTable(results, specs, profile.targets),
    '',
    ...(reference ? [reference, ''] : []),
    '### Enqueue',
    '',
    enqueueTable(results),
    '',
    '### Workers',
    '',
    configTable(results, specs),
    '',
    'Settings: ' + results.configs.map((r) => `${r.config.label}: ${r.config.settings}`).join('; ') + '.',
    '',
    profile.end,
  ].join('\n');
}
