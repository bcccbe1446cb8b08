/**
 * BPTL's metrics (src/observability/metrics.ts): a registry of their own (not prom-client's global one), and the
 * engine activities count what the engine took, labelled with the task's topic.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEngineActivities } from '../../src/activities/engine-activities.ts';
import { loadEnv } from '../../src/config/env.ts';
import type { CamundaClient } from '../../src/engine/camunda-client.ts';
import { createMetrics, metricsText, temporalSdkMetrics } from '../../src/observability/metrics.ts';
import { createTestApi } from '../support/api.ts';
import { root } from '../support/paths.ts';

describe('createMetrics', () => {
  it('registers on a registry of its own, one per call', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.workflowsStarted.inc({ topic: 't' });
    expect(await a.registry.metrics()).toContain('bptl_workflows_started_total{topic="t"} 1');
    expect(await b.registry.metrics()).not.toContain('bptl_workflows_started_total{topic="t"}');
    expect(register.getSingleMetric('bptl_workflows_started_total')).toBeUndefined();
  });

  it('appends another exporter’s text, and leaves it out when that one fails', async () => {
    const metrics = createMetrics();
    expect((await metricsText(metrics, async () => 'temporal_x 1\n')).body).toContain('temporal_x 1');
    const failing = await metricsText(metrics, async () => {
      throw new Error('down');
    });
    expect(failing.body).toContain('bptl_tasks_completed_total');
  });
});

describe('docs/grafana-dashboard.json', () => {
  it('queries only metrics that BPTL registers', async () => {
    const dashboard = readFileSync(path.join(root, 'docs/grafana-dashboard.json'), 'utf8');
    const used = new Set(
      [...dashboard.matchAll(/\b(bptl_[a-z_]+?)(?:_bucket|_count|_sum)?\b(?=[{[ )])/g)].map((m) => m[1]),
    );
    const known = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !known.has(name as string))).toEqual([]);
  });
});

describe('BPTL_TEMPORAL_METRICS_PORT', () => {
  it('is off by default: no exporter is read', () => {
    expect(loadEnv({}).BPTL_TEMPORAL_METRICS_PORT).toBe(0);
    expect(loadEnv({ BPTL_TEMPORAL_METRICS_PORT: '9465' }).BPTL_TEMPORAL_METRICS_PORT).toBe(9465);
    expect(temporalSdkMetrics(0)).toBeUndefined();
    expect(temporalSdkMetrics(9465)).toBeTypeOf('function');
  });
});

describe('GET /metrics of the API', () => {
  it('serves the text without a token, and 404 when the process has no metrics', async () => {
    const metrics = createMetrics();
    metrics.tasksCompleted.inc({ topic: 'orders' });
    const api = await createTestApi({ metrics: () => metricsText(metrics) });
    try {
      const res = await api.request('GET', '/metrics', { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('bptl_tasks_completed_total{topic="orders"} 1');
    } finally {
      await api.close();
    }
    const without = await createTestApi();
    try {
      expect((await without.request('GET', '/metrics', { token: null })).status).toBe(404);
    } finally {
      await without.close();
    }
  });
});

describe('the engine activities', () => {
  it('count completions, incidents, BPMN errors, renewals and relocks by topic', async () => {
    const metrics = createMetrics();
    const client = {
      complete: async () => {},
      failure: async () => {},
      bpmnError: async () => {},
      extendLock: async () => {},
      lock: async () => {},
    } as unknown as CamundaClient;
    const activities = createEngineActivities({ get: () => client }, metrics);
    const command = { engine: 'e', taskId: 't1', workerId: 'w', topic: 'orders' };
    await activities.completeTask({ ...command, variables: {} });
    await activities.reportFailure({
      ...command,
      errorMessage: 'x',
      errorDetails: '',
      retries: 0,
      retryTimeoutMs: 0,
    });
    await activities.reportFailure({
      ...command,
      errorMessage: 'x',
      errorDetails: '',
      retries: 2,
      retryTimeoutMs: 0,
    });
    await activities.throwBpmnError({ ...command, errorCode: 'E', errorMessage: 'm', variables: {} });
    const kept = await activities.keepLock({ ...command, lockDurationMs: 1000 });
    expect(kept.status).toBe('extended');
    const text = await metrics.registry.metrics();
    expect(text).toContain('bptl_tasks_completed_total{topic="orders"} 1');
    expect(text).toContain('bptl_tasks_failed_total{topic="orders"} 1');
    expect(text).toContain('bptl_bpmn_errors_total{topic="orders"} 1');
    expect(text).toContain('bptl_lock_renewals_total{topic="orders"} 1');
  });
});
