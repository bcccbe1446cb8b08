/**
 * What the console's overview shows, counted when the page is asked for: the tasks that ended in a window (24
 * hours unless another is chosen) by outcome, per time bucket, per topic and in total; the tasks running now by
 * the state they wait in; the last hour's throughput and start-to-close latency; and whether each engine
 * answers. Everything comes from Temporal's visibility (count queries: the dev server's SQLite visibility groups
 * by ExecutionStatus only, so each cell is a count of its own) and the engines' `GET /engine`; a source that
 * does not answer is said on the page, the others still show.
 */
import type { Client } from '@temporalio/client';
import { literal, TASK_OUTCOMES } from '../api/task-search.ts';
import type { EngineClients } from '../engine/engine-clients.ts';
import { ensureError } from '../errors.ts';
import { type TaskState, TaskStates } from '../workflows/task-state.ts';

/** The windows the overview offers, each with its number of chart buckets. */
export const OVERVIEW_WINDOWS = {
  '1h': { ms: 3_600_000, buckets: 12, label: 'last hour' },
  '6h': { ms: 6 * 3_600_000, buckets: 12, label: 'last 6 hours' },
  '24h': { ms: 24 * 3_600_000, buckets: 24, label: 'last 24 hours' },
  '7d': { ms: 7 * 24 * 3_600_000, buckets: 28, label: 'last 7 days' },
} as const;
export type OverviewWindow = keyof typeof OVERVIEW_WINDOWS;
export const DEFAULT_WINDOW: OverviewWindow = '24h';

/**
 * How a task ended: BPTL's outcomes, and `ended-abnormally` for a workflow that Temporal failed, terminated or
 * timed out (it set no outcome: its task may be locked still, and is the first thing to look at).
 */
export const OVERVIEW_OUTCOMES = [...TASK_OUTCOMES, 'ended-abnormally'] as const;
export type OverviewOutcome = (typeof OVERVIEW_OUTCOMES)[number];
export type OutcomeCounts = Record<OverviewOutcome, number>;

/** The states a running task can wait in, in the order operators act on them (incidents first). */
export const WAITING_STATES: readonly TaskState[] = [
  TaskStates.CompletionRefused,
  TaskStates.BpmnErrorRefused,
  TaskStates.InstanceSuspended,
  TaskStates.EngineUnknown,
  TaskStates.EngineCallFailing,
  TaskStates.UnitRetrying,
  TaskStates.UnitRunning,
];

export interface Overview {
  window: OverviewWindow;
  since: Date;
  until: Date;
  /** The chart: the window cut into equal buckets, oldest first. */
  buckets: Array<{ start: Date; end: Date; counts: OutcomeCounts }>;
  totals: OutcomeCounts & { running: number };
  /** Per topic (the configured ones, and any other that ran in the window is in `totals` only). */
  topics: Array<{ topic: string; counts: OutcomeCounts; running: number }>;
  waiting: Array<{ state: TaskState; count: number }>;
  lastHour:
    | {
        closed: number;
        perMinute: number;
        /** Start-to-close of the tasks that closed in the last hour (the newest `sampled` of them). */
        latencyMs: { p50: number; p95: number; max: number } | undefined;
        sampled: number;
      }
    | undefined;
  engines: Array<{ name: string; ok: boolean; ms: number; error?: string }>;
  /** What could not be counted (Temporal not answering, a query refused): shown above the rest. */
  errors: string[];
}

/** Cells counted at once: enough to be quick, few enough not to flood a small server. */
const CONCURRENCY = 8;
/** The newest closed tasks of the last hour whose latency is measured. */
export const LATENCY_SAMPLE = 1_000;
const QUERY_TIMEOUT_MS = 10_000;
const ENGINE_TIMEOUT_MS = 3_000;

/** The visibility query of the tasks that ended with `outcome` and closed in [from, to). */
export function closedQuery(outcome: OverviewOutcome, from: Date, to?: Date, topic?: string): string {
  const parts = ['BptlTopic IS NOT NULL'];
  if (outcome === 'ended-abnormally') {
    parts.push(`ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut', 'Canceled')`);
  } else {
    parts.push(`BptlOutcome = ${literal(outcome)}`);
  }
  if (topic !== undefined) parts.push(`BptlTopic = ${literal(topic)}`);
  parts.push(`CloseTime >= ${literal(from.toISOString())}`);
  if (to) parts.push(`CloseTime < ${literal(to.toISOString())}`);
  return parts.join(' AND ');
}

export function runningQuery(options: { topic?: string; state?: TaskState } = {}): string {
  const parts = ["ExecutionStatus = 'Running'", 'BptlTopic IS NOT NULL'];
  if (options.topic !== undefined) parts.push(`BptlTopic = ${literal(options.topic)}`);
  if (options.state !== undefined) parts.push(`BptlState = ${literal(options.state)}`);
  return parts.join(' AND ');
}

/** Runs `jobs` at most `limit` at a time, in order of the array. */
async function pooled<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
  return results;
}

/** The p-th percentile (0–100) of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const zeroCounts = (): OutcomeCounts =>
  Object.fromEntries(OVERVIEW_OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined;

export async function loadOverview(options: {
  temporal: Client | undefined;
  engines: EngineClients | undefined;
  /** The configured engines' names. */
  engineNames: readonly string[];
  /** The configured topics' names. */
  topics: readonly string[];
  window: OverviewWindow;
  now?: Date;
}): Promise<Overview> {
  const { temporal, window } = options;
  const spec = OVERVIEW_WINDOWS[window];
  const until = options.now ?? new Date();
  const since = new Date(until.getTime() - spec.ms);
  const errors: string[] = [];
  const overview: Overview = {
    window,
    since,
    until,
    buckets: [],
    totals: { ...zeroCounts(), running: 0 },
    topics: options.topics.map((topic) => ({ topic, counts: zeroCounts(), running: 0 })),
    waiting: [],
    lastHour: undefined,
    engines: [],
    errors,
  };
  const enginesChecked = checkEngines(options.engines, options.engineNames);
  if (!temporal) {
    errors.push('Temporal is not connected to this API: the counts need it.');
    overview.engines = await enginesChecked;
    return overview;
  }
  const failedQueries = new Set<string>();
  const count = (query: string) => async (): Promise<number> => {
    try {
      const result = await temporal.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        temporal.workflow.count(query),
      );
      return result.count;
    } catch (error) {
      failedQueries.add(ensureError(error).message);
      return Number.NaN;
    }
  };
  const bucketMs = spec.ms / spec.buckets;
  const bucketBounds = Array.from({ length: spec.buckets }, (_, i) => ({
    start: new Date(since.getTime() + i * bucketMs),
    end: new Date(since.getTime() + (i + 1) * bucketMs),
  }));
  const jobs: Array<() => Promise<number>> = [];
  const cell = (query: string, put: (n: number) => void) => {
    const job = count(query);
    jobs.push(async () => {
      const n = await job();
      put(n);
      return n;
    });
  };
  overview.buckets = bucketBounds.map((b) => ({ ...b, counts: zeroCounts() }));
  for (const bucket of overview.buckets) {
    for (const outcome of OVERVIEW_OUTCOMES) {
      cell(closedQuery(outcome, bucket.start, bucket.end), (n) => {
        bucket.counts[outcome] = n;
      });
    }
  }
  for (const outcome of OVERVIEW_OUTCOMES) {
    cell(closedQuery(outcome, since), (n) => {
      overview.totals[outcome] = n;
    });
  }
  cell(runningQuery(), (n) => {
    overview.totals.running = n;
  });
  for (const row of overview.topics) {
    for (const outcome of OVERVIEW_OUTCOMES) {
      cell(closedQuery(outcome, since, undefined, row.topic), (n) => {
        row.counts[outcome] = n;
      });
    }
    cell(runningQuery({ topic: row.topic }), (n) => {
      row.running = n;
    });
  }
  overview.waiting = WAITING_STATES.map((state) => ({ state, count: 0 }));
  for (const entry of overview.waiting) {
    cell(runningQuery({ state: entry.state }), (n) => {
      entry.count = n;
    });
  }
  const [, lastHour, engines] = await Promise.all([
    pooled(jobs, CONCURRENCY),
    lastHourOf(temporal, until).catch((error: unknown) => {
      failedQueries.add(ensureError(error).message);
      return undefined;
    }),
    enginesChecked,
  ]);
  overview.lastHour = lastHour;
  overview.engines = engines;
  for (const message of failedQueries) errors.push(`Temporal did not count: ${message}`);
  return overview;
}

/** The tasks that closed in the hour before `until`: how many, and the latency of the newest LATENCY_SAMPLE. */
async function lastHourOf(temporal: Client, until: Date): Promise<Overview['lastHour']> {
  const from = new Date(until.getTime() - 3_600_000);
  const query = `BptlTopic IS NOT NULL AND ExecutionStatus != 'Running' AND CloseTime >= ${literal(from.toISOString())}`;
  const [counted, listed] = await temporal.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
    Promise.all([
      temporal.workflow.count(query),
      temporal.workflowService.listWorkflowExecutions({
        namespace: temporal.options.namespace,
        query,
        pageSize: LATENCY_SAMPLE,
      }),
    ]),
  );
  const durations: number[] = [];
  for (const execution of listed.executions ?? []) {
    const start = millis(execution.startTime);
    const close = millis(execution.closeTime);
    if (start !== undefined && close !== undefined && close >= start) durations.push(close - start);
  }
  durations.sort((a, b) => a - b);
  return {
    closed: counted.count,
    perMinute: counted.count / 60,
    latencyMs:
      durations.length === 0
        ? undefined
        : {
            p50: percentile(durations, 50),
            p95: percentile(durations, 95),
            max: durations[durations.length - 1]!,
          },
    sampled: durations.length,
  };
}

async function checkEngines(
  engines: EngineClients | undefined,
  names: readonly string[],
): Promise<Overview['engines']> {
  return Promise.all(
    names.map(async (name) => {
      const started = Date.now();
      const client = engines?.get(name);
      if (!client) {
        return {
          name,
          ok: false,
          ms: 0,
          error: 'no client for this engine in the API (not configured here)',
        };
      }
      try {
        await client.engines(ENGINE_TIMEOUT_MS);
        return { name, ok: true, ms: Date.now() - started };
      } catch (error) {
        return { name, ok: false, ms: Date.now() - started, error: ensureError(error).message };
      }
    }),
  );
}
