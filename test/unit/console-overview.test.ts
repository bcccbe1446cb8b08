/**
 * The overview's counting and drawing without a server: the visibility queries it sends, the percentile of the
 * latency, what the page says when Temporal or an engine does not answer, and the chart's bars.
 */
import { describe, expect, it } from 'vitest';
import {
  closedQuery,
  loadOverview,
  OVERVIEW_OUTCOMES,
  type Overview,
  percentile,
  runningQuery,
} from '../../src/console/overview.ts';
import { outcomeChart, overviewPage } from '../../src/console/pages/overview.ts';
import type { Session } from '../../src/console/session.ts';
import type { CamundaClient } from '../../src/engine/camunda-client.ts';

const session: Session = {
  principal: { name: 'ops', role: 'viewer' },
  csrf: 'x',
  expiresAt: Date.now() + 60_000,
} as unknown as Session;

const counts = (values: Partial<Record<(typeof OVERVIEW_OUTCOMES)[number], number>> = {}) =>
  Object.fromEntries(OVERVIEW_OUTCOMES.map((o) => [o, values[o] ?? 0])) as Overview['totals'];

describe('overview queries', () => {
  it('count the outcome of BPTL workflows that closed in the window, quoting the topic', () => {
    const from = new Date('2026-12-03T10:00:00Z');
    const to = new Date('2026-12-03T11:00:00Z');
    expect(closedQuery('failed', from, to, "it's")).toBe(
      "BptlTopic IS NOT NULL AND BptlOutcome = 'failed' AND BptlTopic = 'it\\'s' AND CloseTime >= '2026-12-03T10:00:00.000Z' AND CloseTime < '2026-12-03T11:00:00.000Z'",
    );
    expect(closedQuery('ended-abnormally', from)).toBe(
      "BptlTopic IS NOT NULL AND ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut', 'Canceled') AND CloseTime >= '2026-12-03T10:00:00.000Z'",
    );
    expect(runningQuery({ state: 'completion-refused' })).toBe(
      "ExecutionStatus = 'Running' AND BptlTopic IS NOT NULL AND BptlState = 'completion-refused'",
    );
  });

  it('take the nearest-rank percentile', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('the overview without Temporal', () => {
  it('says Temporal is missing and still checks the engines, naming the one that does not answer', async () => {
    const ok = { engines: async () => [{ name: 'default' }] } as unknown as CamundaClient;
    const down = {
      engines: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      },
    } as unknown as CamundaClient;
    const overview = await loadOverview({
      temporal: undefined,
      engines: { get: (name) => ({ up: ok, down })[name] },
      engineNames: ['up', 'down', 'elsewhere'],
      topics: ['a'],
      window: '24h',
    });
    expect(overview.errors).toEqual(['Temporal is not connected to this API: the counts need it.']);
    expect(overview.engines.map((e) => [e.name, e.ok, e.error])).toEqual([
      ['up', true, undefined],
      ['down', false, 'connect ECONNREFUSED 127.0.0.1:1'],
      ['elsewhere', false, 'no client for this engine in the API (not configured here)'],
    ]);
    const html = String(await overviewPage(session, overview));
    expect(html).toContain('Temporal is not connected');
    expect(html).toContain('ECONNREFUSED');
  });
});

describe('the overview page', () => {
  const since = new Date('2026-12-02T12:00:00Z');
  const until = new Date('2026-12-03T12:00:00Z');
  const overview: Overview = {
    window: '24h',
    since,
    until,
    buckets: Array.from({ length: 24 }, (_, i) => ({
      start: new Date(since.getTime() + i * 3_600_000),
      end: new Date(since.getTime() + (i + 1) * 3_600_000),
      counts: counts(i === 23 ? { completed: 8, failed: 2 } : {}),
    })),
    totals: { ...counts({ completed: 8, failed: 2, abandoned: Number.NaN }), running: 3 },
    topics: [{ topic: 'zaak-aanmaken', counts: counts({ completed: 8, failed: 2 }), running: 3 }],
    waiting: [
      { state: 'completion-refused', count: 1 },
      { state: 'unit-running', count: 2 },
    ],
    lastHour: { closed: 10, perMinute: 10 / 60, latencyMs: { p50: 1200, p95: 4800, max: 9100 }, sampled: 10 },
    engines: [{ name: 'default', ok: true, ms: 12 }],
    errors: [],
  };

  it('links each count to the task list of those tasks, and shows a count Temporal did not give as ?', async () => {
    const html = String(await overviewPage(session, overview));
    expect(html).toContain(
      'href="/console/tasks?outcome=failed&amp;topic=zaak-aanmaken&amp;startedAfter=2026-12-02T12%3A00">2</a>',
    );
    expect(html).toContain('href="/console/tasks?status=Running&amp;state=completion-refused">1</a>');
    expect(html).toMatch(/<td>\?<\/td>/);
    expect(html).toContain('median 1.20 s, 95th percentile 4.80 s, longest 9.10 s');
  });

  it('draws a stacked bar a bucket, each as tall as its count, with the counts in its title', async () => {
    const svg = String(await outcomeChart(overview));
    expect(svg.match(/<g class="bar">/g)).toHaveLength(24);
    // The last bucket: 8 completed and 2 failed on an axis up to 10 (plot height 188).
    const heights = [...svg.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(heights).toEqual(['#1a7f37', '#b42318']);
    expect(svg).toContain('height="150.4" fill="#1a7f37"');
    expect(svg).toContain('height="37.6" fill="#b42318"');
    expect(svg).toContain(
      '11:00–12:00 UTC: 8 completed, 2 failed, 0 bpmn-error, 0 abandoned, 0 ended-abnormally',
    );
    // No inline style: the console's CSP allows its stylesheet only.
    expect(svg).not.toContain('style=');
  });
});
