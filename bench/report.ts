/**
 * The result of a run: the measurements, their ratios, the targets, and where it ran. Printed as a table,
 * and written to the results folder as `<timestamp>.json` and `<timestamp>.md` (and `latest.json`,
 * `latest.md`). Targets are reported, never asserted.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderProfileSummary } from './cpu-profile.ts';
import type { Environment } from './environment.ts';
import type { Measurement } from './measurement.ts';
import type { BenchOptions, MeasurementName } from './options.ts';
import { ratio } from './stats.ts';

export interface Target {
  name: string;
  target: string;
  value: string;
  /** null: not measured in this run (or the target is for another setting). */
  met: boolean | null;
}

export interface BenchResult {
  runId: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  flags: Omit<BenchOptions, 'outDir'>;
  environment: Environment;
  servers: { temporalAddress: string; camundaUrl: string; started: { temporal: boolean; camunda: boolean } };
  loadAverageAtEnd: number;
  measurements: Partial<Record<MeasurementName, Measurement>>;
  ratios: {
    bptlOverBaseline: number | null;
    bptlOverCeiling: number | null;
    baselineOverCeiling: number | null;
    /** BPTL's low-rate latency minus the baseline's, per percentile, in ms. */
    addedLowRateLatencyMs: { p50: number; p95: number; p99: number } | null;
  };
  targets: Target[];
}

export function computeRatios(m: BenchResult['measurements']): BenchResult['ratios'] {
  const { baseline, ceiling, bptl } = m;
  const low = (x: Measurement | undefined) => x?.lowRate?.latencyMs;
  const b = low(baseline);
  const t = low(bptl);
  return {
    bptlOverBaseline: ratio(bptl?.throughputPerSec, baseline?.throughputPerSec),
    bptlOverCeiling: ratio(bptl?.throughputPerSec, ceiling?.throughputPerSec),
    baselineOverCeiling: ratio(baseline?.throughputPerSec, ceiling?.throughputPerSec),
    addedLowRateLatencyMs:
      b && t && b.count > 0 && t.count > 0
        ? { p50: t.p50 - b.p50, p95: t.p95 - b.p95, p99: t.p99 - b.p99 }
        : null,
  };
}

export function evaluateTargets(
  options: Pick<BenchOptions, 'mode' | 'parallelism'>,
  m: BenchResult['measurements'],
  r: BenchResult['ratios'],
): Target[] {
  const targets: Target[] = [];
  const add = (name: string, target: string, value: number | null | undefined, met: (v: number) => boolean) =>
    targets.push({
      name,
      target,
      value: value === null || value === undefined ? 'n/a' : String(value),
      met: value === null || value === undefined ? null : met(value),
    });
  for (const x of Object.values(m)) {
    targets.push({
      name: `${x.name}: every task completed exactly once`,
      target: `${x.n} completed, 0 duplicates`,
      value: `${x.completed} completed, ${x.duplicates} duplicates`,
      met: x.completed === x.n && x.duplicates === 0,
    });
  }
  add('BPTL / ceiling (throughput)', '≥ 0.8', r.bptlOverCeiling, (v) => v >= 0.8);
  const atTen = options.parallelism === 10;
  targets.push({
    name: `BPTL / baseline (throughput) at parallelism ${options.parallelism}`,
    target: '≥ 0.7 at parallelism 10',
    value: r.bptlOverBaseline === null ? 'n/a' : String(r.bptlOverBaseline),
    met: r.bptlOverBaseline === null || !atTen ? null : r.bptlOverBaseline >= 0.7,
  });
  add('Added latency at low rate, p50 (ms)', '≤ 50', r.addedLowRateLatencyMs?.p50, (v) => v <= 50);
  const rss = m.bptl?.bptl?.rss;
  add('Peak RSS of BPTL: poller + worker (MiB)', '≤ 300', rss?.peakOfSumMiB, (v) => v <= 300);
  if (options.mode === 'burst') {
    add('Burst: lock expiries', '0', m.bptl?.bptl?.lockExpiries, (v) => v === 0);
    add('Burst: duplicate executions', '0', m.bptl?.duplicates, (v) => v === 0);
    add('Burst: RSS last quarter / first quarter', '≤ 1.10', rss?.quarters?.lastOverFirst, (v) => v <= 1.1);
  }
  return targets;
}

const fmt = (v: number | undefined | null, digits = 0) =>
  v === undefined || v === null || Number.isNaN(v) ? '–' : v.toFixed(digits);

function measurementRows(result: BenchResult): string[][] {
  const rows = [
    [
      'measurement',
      'completed',
      'throughput /s',
      'window s',
      'latency p50 / p95 / p99 ms',
      'low-rate p50 / p95 / p99 ms',
      'duplicates',
    ],
  ];
  for (const x of Object.values(result.measurements)) {
    const l = x.latencyMs;
    const lr = x.lowRate?.latencyMs;
    rows.push([
      x.name,
      `${x.completed}/${x.n}${x.stalled ? ' (stalled)' : ''}`,
      fmt(x.throughputPerSec, 1),
      fmt(x.windowMs / 1000, 1),
      `${fmt(l.p50)} / ${fmt(l.p95)} / ${fmt(l.p99)}`,
      lr ? `${fmt(lr.p50)} / ${fmt(lr.p95)} / ${fmt(lr.p99)}` : '–',
      String(x.duplicates),
    ]);
  }
  return rows;
}

/** The processes of the CPU tables: the servers, the bench, and BPTL's (one `bptl`, or worker and poller). */
function cpuNames(result: BenchResult): string[] {
  const bptl = result.measurements.bptl?.bptl?.processes ?? ['bptl'];
  return ['temporal', 'camunda', 'bench', ...bptl];
}

function cpuRows(result: BenchResult): string[][] {
  const names = cpuNames(result);
  const rows = [['CPU (% of one core)', ...names, 'other programs', 'machine busy %']];
  for (const x of Object.values(result.measurements)) {
    if (!x.cpu) continue;
    rows.push([
      x.name,
      ...names.map((n) => fmt(x.cpu?.processPercent[n])),
      fmt(x.cpu.otherPercent),
      fmt(x.cpu.machineBusyPercent),
    ]);
  }
  return rows;
}

/** CPU time per completed task (ms), per process: where the time goes. */
function cpuPerTaskRows(result: BenchResult): string[][] {
  const names = cpuNames(result);
  const rows = [['CPU ms per completed task', ...names]];
  for (const x of Object.values(result.measurements)) {
    if (!x.cpu || x.completed === 0) continue;
    const perTask = (pct: number | undefined) =>
      pct === undefined ? undefined : (pct / 100) * x.cpu!.seconds * (1000 / x.completed);
    rows.push([x.name, ...names.map((n) => fmt(perTask(x.cpu?.processPercent[n]), 1))]);
  }
  return rows;
}

/**
 * The REST calls Camunda received per completed task, by kind, for each task-based measurement: where the
 * engine's extra work under BPTL comes from (issue 17). Empty when the engine was not started by the bench.
 */
function requestRows(result: BenchResult): string[][] {
  const measured = Object.values(result.measurements).filter((x) => x.camundaRequests && x.completed > 0);
  if (measured.length === 0) return [];
  const kinds = [...new Set(measured.flatMap((x) => Object.keys(x.camundaRequests!.byKind)))].sort((a, b) =>
    a.startsWith('bench:') === b.startsWith('bench:') ? a.localeCompare(b) : a.startsWith('bench:') ? 1 : -1,
  );
  const rows = [
    ['Camunda REST calls per completed task (engine ms per call)', ...measured.map((x) => x.name)],
  ];
  const cell = (x: Measurement, kind: string) => {
    const k = x.camundaRequests!.byKind[kind];
    if (!k) return '0';
    const perTask = fmt(k.count / x.completed, 2);
    const empty = k.empty ? `, ${fmt(k.empty / x.completed, 2)} empty` : '';
    return `${perTask}${empty} (${fmt(k.serverMs / k.count, 2)})`;
  };
  for (const kind of kinds) rows.push([kind, ...measured.map((x) => cell(x, kind))]);
  const workerCalls = (x: Measurement) =>
    Object.entries(x.camundaRequests!.byKind)
      .filter(([kind]) => !kind.startsWith('bench:'))
      .reduce((sum, [, k]) => sum + k.count, 0);
  rows.push(["all but the bench's own", ...measured.map((x) => fmt(workerCalls(x) / x.completed, 2))]);
  return rows;
}

function bptlRows(result: BenchResult): string[][] {
  const b = result.measurements.bptl?.bptl;
  if (!b) return [];
  const rss = b.rss;
  const names = b.processes;
  const label = names.join(' / ');
  const each = (values: Record<string, number> | undefined) => names.map((n) => fmt(values?.[n])).join(' / ');
  const rows = [
    ['BPTL', 'value'],
    [
      `RSS after start-up, before work: ${label} (MiB)${b.fromBuild ? ' [from a build]' : ''}`,
      each(b.rssAtStartMiB),
    ],
    [`peak RSS ${label} (MiB)`, each(rss.peakMiB)],
    ['peak RSS: sum of peaks / peak of sum (MiB)', `${fmt(rss.sumOfPeaksMiB)} / ${fmt(rss.peakOfSumMiB)}`],
    [
      `peak RSS while working off the tasks: ${label} / sum (MiB)`,
      `${each(rss.window?.peakMiB)} / ${fmt(rss.window?.peakOfSumMiB)}`,
    ],
    [
      'lock expiries (relocked + extra fetches)',
      `${b.lockExpiries} (${b.relockedTasks} + ${b.extraFetches})`,
    ],
    ['workflow ids with several runs', String(b.workflowIdsWithSeveralRuns)],
    ['workflows / outcomes', `${b.workflows} / ${JSON.stringify(b.outcomes)}`],
    [`start-up ${label} (ms)`, each(b.startupMs)],
  ];
  if (b.poller)
    rows.push([
      'poller: fetches / tasks fetched / workflows started (eagerly) / start errors',
      `${b.poller.fetches} / ${b.poller.tasksFetched} / ${b.poller.workflowsStarted} (${b.poller.eagerStarts ?? '–'}) / ${b.poller.startErrors}`,
    ]);
  if (result.flags.mode === 'burst' && rss.quarters)
    rows.push([
      'RSS peak first / last quarter (MiB)',
      `${fmt(rss.quarters.firstPeakMiB)} / ${fmt(rss.quarters.lastPeakMiB)} (×${rss.quarters.lastOverFirst})`,
    ]);
  return rows;
}

function ratioRows(result: BenchResult): string[][] {
  const r = result.ratios;
  const rows = [
    ['ratio', 'value'],
    ['BPTL / baseline (throughput)', fmt(r.bptlOverBaseline, 2)],
    ['BPTL / ceiling (throughput)', fmt(r.bptlOverCeiling, 2)],
    ['baseline / ceiling (throughput)', fmt(r.baselineOverCeiling, 2)],
  ];
  if (r.addedLowRateLatencyMs)
    rows.push([
      'added latency at low rate p50 / p95 / p99 (ms)',
      `${r.addedLowRateLatencyMs.p50} / ${r.addedLowRateLatencyMs.p95} / ${r.addedLowRateLatencyMs.p99}`,
    ]);
  return rows;
}

function targetRows(result: BenchResult): string[][] {
  return [
    ['target', 'wanted', 'measured', 'met'],
    ...result.targets.map((t) => [t.name, t.target, t.value, t.met === null ? '–' : t.met ? 'yes' : 'NO']),
  ];
}

function textTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function markdownTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(rows[0]!), `|${rows[0]!.map(() => ' --- ').join('|')}|`, ...rows.slice(1).map(line)].join(
    '\n',
  );
}

/** The old generation's cap; results from before it was the default have none (undefined: Node's own). */
function heapLabel(heapMiB: number | undefined): string {
  return heapMiB ? `, V8 old generation ≤ ${heapMiB} MiB` : ", Node's own heap limit";
}

function headline(result: BenchResult): string[] {
  const e = result.environment;
  const f = result.flags;
  return [
    `mode ${f.mode}${f.smoke ? ' (smoke)' : ''}, N=${f.n}, parallelism ${f.parallelism}, low-rate ${f.lowRate}, ` +
      `lock ${f.lockDurationMs} ms${f.workMs ? `, work ${f.workMs} ms` : ''}, ${f.starters} starters; ` +
      `BPTL as ${f.split ? 'bptl worker + bptl poller' : f.runs > 1 ? `${f.runs} × bptl run` : 'bptl run'}, work unit as ${f.execution === 'local' ? 'a local activity' : 'an activity'}` +
      `${heapLabel(f.heapMiB)}${f.nodeFlags?.length ? `, node ${f.nodeFlags.join(' ')}` : ''}${f.payloadKiB ? `, a ${f.payloadKiB} KiB variable per task` : ''}`,
    `commit ${e.commit.sha?.slice(0, 12) ?? '?'}${e.commit.dirty ? ' (dirty tree)' : ''}; ` +
      `${e.machine.nproc} cores, ${e.machine.memoryMiB} MiB; load ${e.machine.loadAverageAtStart} → ${result.loadAverageAtEnd}`,
    `Node ${e.versions.node}, Temporal server ${e.versions.temporalServer ?? '?'}, Camunda ${e.versions.camunda ?? '?'}` +
      `; servers ${result.servers.started.temporal || result.servers.started.camunda ? 'started by the bench (in memory)' : 'given'}`,
  ];
}

const notesOf = (result: BenchResult) =>
  Object.values(result.measurements).flatMap((x) => x.notes.map((n) => `${x.name}: ${n}`));

export function renderText(result: BenchResult): string {
  return [
    ...headline(result),
    '',
    textTable(measurementRows(result)),
    '',
    textTable(ratioRows(result)),
    '',
    textTable(bptlRows(result)),
    '',
    textTable(cpuRows(result)),
    '',
    textTable(cpuPerTaskRows(result)),
    '',
    textTable(requestRows(result)),
    '',
    textTable(targetRows(result)),
    ...notesOf(result).map((n) => `note: ${n}`),
  ].join('\n');
}

/** With --cpu-prof: where the JavaScript time of BPTL's processes went, per task (the low-rate ones too). */
function profileSection(result: BenchResult): string[] {
  const x = result.measurements.bptl;
  const profile = x?.bptl?.cpuProfile;
  if (!x || !profile) return [];
  return [
    '',
    `### CPU profile of BPTL (${profile.dir})`,
    '',
    renderProfileSummary(profile.summary, x.completed + result.flags.lowRate),
  ];
}

export function renderMarkdown(result: BenchResult): string {
  return [
    `## Bench ${result.startedAt} (${result.flags.mode}${result.flags.smoke ? ', smoke' : ''})`,
    '',
    `\`node bench/run.ts ${result.command}\``,
    '',
    ...headline(result).map((l) => `- ${l}`),
    '',
    markdownTable(measurementRows(result)),
    '',
    markdownTable(ratioRows(result)),
    '',
    markdownTable(bptlRows(result)),
    '',
    markdownTable(cpuRows(result)),
    '',
    markdownTable(cpuPerTaskRows(result)),
    '',
    markdownTable(requestRows(result)),
    '',
    markdownTable(targetRows(result)),
    ...profileSection(result),
    ...(notesOf(result).length ? ['', ...notesOf(result).map((n) => `- note: ${n}`)] : []),
    '',
  ].join('\n');
}

/** Writes `<stamp>.json`, `<stamp>.md`, `latest.json`, `latest.md`; returns the JSON file's path. */
export async function writeResult(outDir: string, result: BenchResult): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const md = renderMarkdown(result);
  const file = path.join(outDir, `${stamp}.json`);
  await writeFile(file, json);
  await writeFile(path.join(outDir, `${stamp}.md`), md);
  await writeFile(path.join(outDir, 'latest.json'), json);
  await writeFile(path.join(outDir, 'latest.md'), md);
  return file;
}
