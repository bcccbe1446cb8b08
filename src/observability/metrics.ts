/**
 * BPTL's Prometheus metrics (prom-client), on a Registry of their own per process (not prom-client's global
 * default), served at GET /metrics. The object is passed to whoever counts (the poller, the activities): no
 * module-level state. Names and labels are listed in docs/operations.md ("Metrics").
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface BptlMetrics {
  readonly registry: Registry;
  /** Poller: tasks locked by fetchAndLock. */
  readonly tasksFetched: Counter<'engine' | 'topic'>;
  /** Poller: workflows started for a fetched task. */
  readonly workflowsStarted: Counter<'topic'>;
  /** Poller: a task fetched again whose workflow this poller still follows: it joined that workflow. */
  readonly duplicatesJoined: Counter<'topic'>;
  /** Poller: one fetchAndLock (a long poll), failed or not. */
  readonly fetchDuration: Histogram<'engine'>;
  readonly fetchErrors: Counter<'engine'>;
  /** Poller: its workflows that are running. */
  readonly inFlight: Gauge<'topic'>;
  /** Worker: tasks completed in the engine. */
  readonly tasksCompleted: Counter<'topic'>;
  /** Worker: failures reported to the engine (retries 0: an incident). */
  readonly tasksFailed: Counter<'topic'>;
  readonly bpmnErrors: Counter<'topic'>;
  /** Worker: tasks given up (their lock was lost, or the workflow let them go). */
  readonly tasksAbandoned: Counter<'topic'>;
  readonly lockRenewals: Counter<'topic'>;
  readonly relocks: Counter<'topic'>;
  /** Worker: one run of a work unit; outcome `success`, `bpmnError` or `error`. */
  readonly workUnitDuration: Histogram<'unit' | 'outcome'>;
}

/** The registry, with Node's default metrics (process_*, nodejs_*) when `defaults` (the processes; not tests). */
export function createMetrics(options: { defaults?: boolean } = {}): BptlMetrics {
  const registry = new Registry();
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  if (options.defaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    tasksFetched: counter('bptl_tasks_fetched_total', 'External tasks locked by fetchAndLock', [
      'engine',
      'topic',
    ]),
    workflowsStarted: counter('bptl_workflows_started_total', 'Workflows started for fetched tasks', [
      'topic',
    ]),
    duplicatesJoined: counter(
      'bptl_duplicates_joined_total',
      'Tasks fetched again that joined their running workflow',
      ['topic'],
    ),
    fetchDuration: new Histogram({
      name: 'bptl_fetch_duration_seconds',
      help: 'Duration of one fetchAndLock long poll',
      labelNames: ['engine'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 20, 30, 60],
      registers,
    }),
    fetchErrors: counter('bptl_fetch_errors_total', 'fetchAndLock calls that failed', ['engine']),
    inFlight: new Gauge({
      name: 'bptl_in_flight',
      help: "Running workflows of this process's pollers",
      labelNames: ['topic'],
      registers,
    }),
    tasksCompleted: counter('bptl_tasks_completed_total', 'Tasks completed in the engine', ['topic']),
    tasksFailed: counter('bptl_tasks_failed_total', 'Failures reported to the engine (incidents)', ['topic']),
    bpmnErrors: counter('bptl_bpmn_errors_total', 'BPMN errors thrown in the engine', ['topic']),
    tasksAbandoned: counter('bptl_tasks_abandoned_total', 'Tasks given up (lock lost or let go)', ['topic']),
    lockRenewals: counter('bptl_lock_renewals_total', 'Lock extensions of running tasks', ['topic']),
    relocks: counter('bptl_relocks_total', 'Tasks locked again after their lock expired', ['topic']),
    workUnitDuration: new Histogram({
      name: 'bptl_work_unit_duration_seconds',
      help: 'Duration of one run of a work unit',
      labelNames: ['unit', 'outcome'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}

/** The Prometheus text of the registry, followed by `extra` (another exporter's text, e.g. the Temporal SDK's). */
export async function metricsText(
  metrics: BptlMetrics,
  extra?: () => Promise<string>,
): Promise<{ contentType: string; body: string }> {
  const own = await metrics.registry.metrics();
  const more = extra ? await extra().catch(() => '') : '';
  return { contentType: metrics.registry.contentType, body: more ? `${own}\n${more}` : own };
}

/**
 * The text of the Temporal SDK's Prometheus exporter on 127.0.0.1:`port` (BPTL_TEMPORAL_METRICS_PORT), for
 * metricsText; empty when `port` is 0. A failure or a slow answer (1 s) leaves it out of the scrape.
 */
export function temporalSdkMetrics(port: number): (() => Promise<string>) | undefined {
  if (port === 0) return undefined;
  return async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1_000) });
    if (!res.ok) throw new Error(`the Temporal SDK's exporter answered ${res.status}`);
    return res.text();
  };
}
