/**
 * The benchmark's command line: modes (default, --burst, --long, --smoke), sizes, which measurements to run,
 * and which servers to use. Every default is decided here, so the JSON report can record the flags as used.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MIN_LOCAL_LOCK_DURATION_MS } from '../src/config/lock-timings.ts';
import { DEFAULT_HEAP_MIB } from './bptl-process.ts';

export const MEASUREMENTS = ['baseline', 'ceiling', 'bptl'] as const;
export type MeasurementName = (typeof MEASUREMENTS)[number];

export type Mode = 'default' | 'burst' | 'long';

export interface BenchOptions {
  mode: Mode;
  smoke: boolean;
  /** Tasks (or empty workflows) per throughput measurement. */
  n: number;
  /** Tasks per fetch and tasks at once (baseline), starts in flight (ceiling), BPTL_MAX_TASKS (BPTL). */
  parallelism: number;
  /** Tasks of the low-rate latency measurement, one at a time (0: skip it). */
  lowRate: number;
  /** Concurrent process-instance starters that create the tasks. */
  starters: number;
  /** Tasks completed by a bare worker before the first measurement (warms Camunda's JIT up); not measured. */
  warmup: number;
  only: MeasurementName[];
  /** Lock duration of the topics; in --long mode the work takes three times as long. */
  lockDurationMs: number;
  /** How long each work unit runs (`sleep` unit); 0: the `noop` unit. */
  workMs: number;
  /** Long-poll time of the bare client and of BPTL's poller. */
  asyncResponseTimeoutMs: number;
  /** Give up on a measurement after this long without a single completion. */
  stallTimeoutMs: number;
  /** Servers that run already; when absent the bench starts its own (in memory) and stops them at the end. */
  temporalAddress: string | undefined;
  camundaUrl: string | undefined;
  /** Where results (and the children's logs) go. */
  outDir: string;
  /** The BPTL topic's `execution`: the work unit as an activity (the default) or as a local activity. */
  execution: 'activity' | 'local';
  /** A string variable of this many KiB on every task (0: none): memory under large variables. */
  payloadKiB: number;
  /** `--max-old-space-size` of BPTL's processes in MiB (V8's old generation): the launchers' 256 unless given; 0: Node's own. */
  heapMiB: number;
  /** More Node flags for BPTL's processes (a lever to measure, e.g. `--optimize-for-size`); split on spaces. */
  nodeFlags: string[];
  /** Run BPTL as `bptl worker` and `bptl poller` (two processes) instead of one `bptl run`. */
  split: boolean;
  /** How many `bptl run` processes share the topics (each with its own worker id): scaling out on one machine. */
  runs: number;
  /** Write a V8 CPU profile of each BPTL process's main thread and summarise it in the report. */
  cpuProfile: boolean;
  /** Run BPTL's worker and poller from a build (tsc, as in production) instead of the TypeScript sources. */
  fromBuild: boolean;
}

export const USAGE = `npm run bench -- [options]      (or: node bench/run.ts [options])

Measures, against one Temporal and one Camunda server, with the same N and parallelism:
  baseline  a bare camunda-external-task-client-js worker completing N no-op external tasks
  ceiling   N empty workflows started eagerly (the fastest this Temporal server runs anything)
  bptl      the same N external tasks through BPTL (bptl run: poller + worker), the workflow and 'noop'

Modes:
  (default)        N=2000, parallelism 32; tasks are created while the workers run
  --burst          N=10000 tasks created before the workers start
  --long           work units take 3 x the lock (sleep 6000 ms, lock 2000 ms); N=200
  --smoke          N=20, parallelism 4, low-rate 3 (for the test suite)
Options:
  --n N                   tasks per measurement
  --parallelism P         fetch size and concurrency (default 32)
  --low-rate M            one-at-a-time latency samples (default 50; 5 with --long)
  --starters S            concurrent process starters (default 4)
  --warmup W              tasks to warm Camunda up with before measuring (default 500; 0 with --smoke)
  --lock-ms MS            lock duration (default 60000; 2000 with --long)
  --only LIST             a subset of baseline,ceiling,bptl
  --temporal-address H:P  use this Temporal server (else one is started in memory on 127.0.0.1:17333)
  --camunda-url URL       use this engine's REST API (else one is started on 127.0.0.1:18090, H2 in memory)
  --execution E           the BPTL topic's execution: activity (default) or local (work unit as a local activity)
  --payload-kb K          a Json variable of K KiB on every task (memory under large variables); default 0
  --heap-mb MB            V8's old generation of BPTL's processes (--max-old-space-size); default 256 as the
                          launchers (BPTL_HEAP_MB); 0: Node's own limit
  --node-flags=FLAGS      more Node/V8 flags for BPTL's processes (--node-flags="--optimize-for-size"), to measure a lever
  --split                 run BPTL as two processes, bptl worker and bptl poller (default: one bptl run)
  --runs K                K bptl run processes on the same topics and task queue (default 1; not with --split)
  --cpu-prof              profile BPTL's processes (node --cpu-prof) and summarise where their JavaScript time goes
  --from-build            run BPTL from a tsc build (as in production), not from src/*.ts
  --out DIR               results folder (default .bench)
  -h, --help`;

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`--${name}: expected an integer ≥ ${min}`);
  return parsed;
}

/** `--heap-mb`: the launchers' default, 0 (Node's own limit), or at least 16 MiB. */
function heapMiBOf(value: string | undefined): number {
  if (value === '0') return 0;
  return positiveInt('heap-mb', value, DEFAULT_HEAP_MIB, 16);
}

/** `--node-flags`: flags only (each starting with `--`), so that a typo cannot become a script argument. */
function nodeFlagsOf(value: string | undefined): string[] {
  const flags = (value ?? '').split(/\s+/).filter(Boolean);
  const bad = flags.find((f) => !f.startsWith('--'));
  if (bad) throw new Error(`--node-flags: '${bad}' is not a flag (each must start with --)`);
  return flags;
}

/** Parses the flags; throws with a message naming the flag. Returns undefined for --help. */
export function parseBenchArgs(argv: string[], root: string): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      burst: { type: 'boolean' },
      long: { type: 'boolean' },
      smoke: { type: 'boolean' },
      n: { type: 'string' },
      parallelism: { type: 'string' },
      'low-rate': { type: 'string' },
      starters: { type: 'string' },
      warmup: { type: 'string' },
      'lock-ms': { type: 'string' },
      only: { type: 'string' },
      'temporal-address': { type: 'string' },
      'camunda-url': { type: 'string' },
      out: { type: 'string' },
      'from-build': { type: 'boolean' },
      split: { type: 'boolean' },
      runs: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'heap-mb': { type: 'string' },
      'node-flags': { type: 'string' },
      execution: { type: 'string' },
      'payload-kb': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  if (values.burst && values.long) throw new Error('--burst and --long exclude each other');
  const mode: Mode = values.burst ? 'burst' : values.long ? 'long' : 'default';
  const smoke = values.smoke ?? false;
  const defaultN = smoke ? 20 : mode === 'burst' ? 10_000 : mode === 'long' ? 200 : 2_000;
  const lockDurationMs = positiveInt('lock-ms', values['lock-ms'], mode === 'long' ? 2_000 : 60_000, 1_000);
  const only: string[] = values.only ? values.only.split(',').map((s) => s.trim()) : [...MEASUREMENTS];
  for (const name of only) {
    if (!(MEASUREMENTS as readonly string[]).includes(name))
      throw new Error(`--only: unknown measurement '${name}' (known: ${MEASUREMENTS.join(', ')})`);
  }
  const execution = values.execution ?? 'activity';
  if (execution !== 'activity' && execution !== 'local')
    throw new Error(`--execution: expected activity or local, not '${execution}'`);
  if (execution === 'local' && lockDurationMs < MIN_LOCAL_LOCK_DURATION_MS)
    throw new Error(
      `--execution local needs a lock of at least ${MIN_LOCAL_LOCK_DURATION_MS} ms (--lock-ms), not ${lockDurationMs}`,
    );
  const runs = positiveInt('runs', values.runs, 1);
  if (runs > 1 && values.split)
    throw new Error('--runs and --split exclude each other (--runs starts bptl run processes)');
  return {
    mode,
    smoke,
    n: positiveInt('n', values.n, defaultN),
    parallelism: positiveInt('parallelism', values.parallelism, smoke ? 4 : 32),
    lowRate: positiveInt('low-rate', values['low-rate'], smoke ? 3 : mode === 'long' ? 5 : 50, 0),
    starters: positiveInt('starters', values.starters, 4),
    warmup: positiveInt('warmup', values.warmup, smoke ? 0 : 500, 0),
    only: MEASUREMENTS.filter((m) => only.includes(m)),
    lockDurationMs,
    workMs: mode === 'long' ? 3 * lockDurationMs : 0,
    asyncResponseTimeoutMs: 10_000,
    stallTimeoutMs: 120_000,
    temporalAddress: values['temporal-address'],
    camundaUrl: values['camunda-url']?.replace(/\/+$/, ''),
    outDir: path.resolve(root, values.out ?? '.bench'),
    fromBuild: values['from-build'] ?? false,
    split: values.split ?? false,
    runs,
    cpuProfile: values['cpu-prof'] ?? false,
    nodeFlags: nodeFlagsOf(values['node-flags']),
    heapMiB: heapMiBOf(values['heap-mb']),
    execution,
    payloadKiB: positiveInt('payload-kb', values['payload-kb'], 0, 0),
  };
}

/** The variables every task of a measurement is created with: the work (`--long`) and the payload (`--payload-kb`). */
export function taskVariables(options: Pick<BenchOptions, 'workMs' | 'payloadKiB'>): Record<string, unknown> {
  return {
    ...(options.workMs > 0 ? { sleepMs: options.workMs } : {}),
    // An object, so it goes to the engine as a Json variable: Camunda stores a String variable in a 4,000-character
    // column, and a longer one fails the process start with a persistence error.
    ...(options.payloadKiB > 0 ? { payload: { text: 'x'.repeat(options.payloadKiB * 1024) } } : {}),
  };
}
