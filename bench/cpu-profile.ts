/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, one `.cpuprofile` per thread) of BPTL's processes: self time
 * by where the code lives (a package of node_modules, a folder of src/, Node's internals, garbage collection,
 * idle) and the costliest functions. What `npm run bench -- --cpu-prof` prints, and
 * `node bench/cpu-profile.ts <file-or-folder>…` on its own.
 *
 * A profile covers JavaScript on its thread only: the Temporal core's Rust threads do not appear, so the
 * JavaScript share of the process's CPU (measured from /proc) says how much of it is ours to optimise here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** Profiles summed (threads). */
  profiles: number;
  /** Left out of each profile's start: its process's start-up. */
  skippedMs: number;
  /** Sampled time, idle excluded, in ms. */
  busyMs: number;
  idleMs: number;
  /** Self time by where the code lives, costliest first. */
  byArea: Array<{ area: string; ms: number }>;
  /** Self time by function, costliest first. */
  byFunction: Array<{ fn: string; area: string; ms: number }>;
}

/** Where a frame's code lives: `pkg:<name>`, `src/<folder>`, `node:<module>`, or V8's own `(garbage collector)`… */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return `pkg:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const src = url.indexOf('/src/');
  if (src >= 0) return `src/${url.slice(src + '/src/'.length).split('/')[0]}`;
  // The workflow bundle runs in the worker thread's vm context, with its own URL.
  if (url.includes('workflow')) return 'workflow bundle';
  return 'other';
}

/**
 * Self time in ms per node id: from the samples and their time deltas (leaving out the first `skipMs`, the
 * start-up), else hit counts × the mean interval.
 */
function selfTimes(profile: CpuProfile, skipMs: number): Map<number, number> {
  const times = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples && timeDeltas && samples.length === timeDeltas.length) {
    // timeDeltas[i] is the time before sample i; the sample is charged with the interval that follows it.
    let elapsedMs = 0;
    for (let i = 0; i < samples.length; i++) {
      elapsedMs += timeDeltas[i]! / 1000;
      if (elapsedMs < skipMs) continue;
      const next = timeDeltas[i + 1] ?? 0;
      times.set(samples[i]!, (times.get(samples[i]!) ?? 0) + next / 1000);
    }
    return times;
  }
  const hits = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
  const interval = hits > 0 ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
  for (const n of profile.nodes) times.set(n.id, (n.hitCount ?? 0) * interval);
  return times;
}

/**
 * Sums the profiles' self times by area and by function. `skipMs`: leave out each profile's first milliseconds
 * (a process's start-up: loading modules, bundling, generating protobuf code), which the bench's CPU per task
 * does not count either.
 */
export function summarizeProfiles(profiles: CpuProfile[], top = 15, skipMs = 0): ProfileSummary {
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; area: string; ms: number }>();
  let idleMs = 0;
  let busyMs = 0;
  for (const profile of profiles) {
    const times = selfTimes(profile, skipMs);
    for (const node of profile.nodes) {
      const ms = times.get(node.id) ?? 0;
      if (ms === 0) continue;
      const area = areaOf(node.callFrame);
      if (area === '(idle)' || area === '(program)') {
        // (program) is native code outside JavaScript, (idle) waiting for events: neither is this thread's JS.
        if (area === '(idle)') idleMs += ms;
        else busyMs += ms;
        areas.set(area, (areas.get(area) ?? 0) + (area === '(idle)' ? 0 : ms));
        continue;
      }
      busyMs += ms;
      areas.set(area, (areas.get(area) ?? 0) + ms);
      const where = node.callFrame.url
        ? `${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`
        : '';
      const key = `${node.callFrame.functionName || '(anonymous)'} ${where}`.trim();
      const entry = fns.get(key) ?? { fn: key, area, ms: 0 };
      entry.ms += ms;
      fns.set(key, entry);
    }
  }
  areas.delete('(idle)');
  return {
    profiles: profiles.length,
    skippedMs: skipMs,
    busyMs,
    idleMs,
    byArea: [...areas.entries()].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
    byFunction: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

/** The `.cpuprofile` files named, or found in the folders named. */
export function profileFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => path.join(p, f))
      : [p],
  );
}

export function readProfiles(files: string[]): CpuProfile[] {
  return files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
}

/** Markdown tables: areas with their share of the busy time, and the costliest functions; per task if given. */
export function renderProfileSummary(summary: ProfileSummary, tasks?: number): string {
  const per = (ms: number) => (tasks ? (ms / tasks).toFixed(2) : '–');
  const share = (ms: number) => `${((100 * ms) / (summary.busyMs || 1)).toFixed(1)} %`;
  const lines = [
    `${summary.profiles} profile(s) (threads), the first ${summary.skippedMs.toFixed(0)} ms (start-up) left out; JavaScript threads busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
    '',
    '| where (self time) | ms | ms per task | share |',
    '| --- | ---: | ---: | ---: |',
    ...summary.byArea
      .slice(0, 20)
      .map((a) => `| ${a.area} | ${a.ms.toFixed(0)} | ${per(a.ms)} | ${share(a.ms)} |`),
    '',
    '| function (self time) | where | ms | ms per task |',
    '| --- | --- | ---: | ---: |',
    ...summary.byFunction.map((f) => `| \`${f.fn}\` | ${f.area} | ${f.ms.toFixed(0)} | ${per(f.ms)} |`),
  ];
  return lines.join('\n');
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args.splice(at, 2)[1]) : undefined;
  };
  const tasks = flag('--tasks');
  const skipMs = flag('--skip-ms') ?? 0;
  if (args.length === 0) {
    console.error('usage: node bench/cpu-profile.ts [--tasks N] [--skip-ms MS] <file.cpuprofile | folder>…');
    process.exit(2);
  }
  console.log(renderProfileSummary(summarizeProfiles(readProfiles(profileFiles(args)), 25, skipMs), tasks));
}
