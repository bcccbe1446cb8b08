/**
 * The overview: how the tasks of a window ended (a stacked bar chart, server-rendered SVG, and a table per
 * topic), which running tasks wait and why (incidents first), the last hour's throughput and latency, and the
 * engines. Every number links to the task list that shows those tasks. A count Temporal did not give is `?`.
 */
import { html } from 'hono/html';
import { z } from 'zod';
import { type Markup, notice, page } from '../layout.ts';
import {
  DEFAULT_WINDOW,
  OVERVIEW_OUTCOMES,
  OVERVIEW_WINDOWS,
  type Overview,
  type OverviewOutcome,
  type OverviewWindow,
} from '../overview.ts';
import type { Session } from '../session.ts';

export const overviewQuery = z.object({
  window: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(Object.keys(OVERVIEW_WINDOWS) as [OverviewWindow, ...OverviewWindow[]]).default(DEFAULT_WINDOW),
  ),
});

/** The chart's colour and label of each outcome (the stylesheet's palette). */
const OUTCOME_STYLE: Record<OverviewOutcome, { colour: string; label: string }> = {
  completed: { colour: '#1a7f37', label: 'completed' },
  failed: { colour: '#b42318', label: 'failed (incident)' },
  'bpmn-error': { colour: '#9a6700', label: 'BPMN error' },
  abandoned: { colour: '#8250df', label: 'abandoned (task gone)' },
  'ended-abnormally': {
    colour: '#1d2433',
    label: 'ended abnormally (workflow failed, terminated, timed out)',
  },
};

const shown = (n: number) => (Number.isNaN(n) ? '?' : String(n));

/** The task list of the tasks that a count counted (the list filters by start time, so it is the window's best match). */
function listHref(filter: Record<string, string | undefined>): string {
  const query = new URLSearchParams(
    Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return `/console/tasks?${query.toString()}`;
}

/** The list filter of an outcome; none for `ended-abnormally` (three statuses; the list filters by one). */
function outcomeFilter(
  outcome: OverviewOutcome,
  rest: Record<string, string>,
): Record<string, string> | undefined {
  return outcome === 'ended-abnormally' ? undefined : { outcome, ...rest };
}

const hhmm = (d: Date, withDay: boolean) =>
  withDay
    ? `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 16)}`
    : d.toISOString().slice(11, 16);

/** A stacked bar per bucket, outcomes bottom-up in OVERVIEW_OUTCOMES' order; each bar has its numbers as title. */
export function outcomeChart(overview: Overview): Markup {
  const width = 960;
  const height = 220;
  const left = 40;
  const bottom = 24;
  const top = 8;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const totals = overview.buckets.map((b) =>
    OVERVIEW_OUTCOMES.reduce((sum, o) => sum + (Number.isNaN(b.counts[o]) ? 0 : b.counts[o]), 0),
  );
  const max = Math.max(1, ...totals);
  // A round top for the axis: 1, 2 or 5 times a power of ten.
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const axisMax = [1, 2, 5, 10].map((m) => m * magnitude).find((v) => v >= max) ?? max;
  const slot = plotW / Math.max(1, overview.buckets.length);
  const barW = Math.max(2, slot * 0.8);
  const withDay = overview.window === '7d';
  const labelEvery = Math.ceil(overview.buckets.length / 12);
  const bars = overview.buckets.map((bucket, i) => {
    let y = top + plotH;
    const x = left + i * slot + (slot - barW) / 2;
    const segments = OVERVIEW_OUTCOMES.map((outcome) => {
      const n = bucket.counts[outcome];
      if (!(n > 0)) return '';
      const h = (n / axisMax) * plotH;
      y -= h;
      return html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${OUTCOME_STYLE[outcome].colour}"></rect>`;
    });
    const title = `${hhmm(bucket.start, withDay)}–${hhmm(bucket.end, withDay)} UTC: ${OVERVIEW_OUTCOMES.map((o) => `${shown(bucket.counts[o])} ${o}`).join(', ')}`;
    const label =
      i % labelEvery === 0
        ? html`<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">${hhmm(bucket.start, withDay)}</text>`
        : '';
    return html`<g class="bar"><title>${title}</title><rect x="${(left + i * slot).toFixed(1)}" y="${top}" width="${slot.toFixed(1)}" height="${plotH}" fill="transparent"></rect>${segments}</g>${label}`;
  });
  return html`<figure class="chart">
<svg role="img" aria-labelledby="chart-title" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet">
<title id="chart-title">Tasks that ended per ${OVERVIEW_WINDOWS[overview.window].label.replace('last ', '')} bucket, by outcome</title>
<line x1="${left}" y1="${top + plotH}" x2="${width - 8}" y2="${top + plotH}" stroke="#d9dee8"></line>
<line x1="${left}" y1="${top}" x2="${width - 8}" y2="${top}" stroke="#eef0f4"></line>
<text x="${left - 6}" y="${top + 10}" text-anchor="end">${axisMax}</text>
<text x="${left - 6}" y="${top + plotH}" text-anchor="end">0</text>
${bars}
</svg>
<figcaption>${OVERVIEW_OUTCOMES.map(
    (o) => html`<span class="key"><span class="swatch ${o}"></span>${OUTCOME_STYLE[o].label}</span>`,
  )}</figcaption>
</figure>`;
}

function windowPicker(chosen: OverviewWindow): Markup {
  return html`<nav class="windows" aria-label="Window">${(
    Object.keys(OVERVIEW_WINDOWS) as OverviewWindow[]
  ).map(
    (key) =>
      html`<a href="/console/overview?window=${key}"${key === chosen ? html` aria-current="true"` : ''}>${OVERVIEW_WINDOWS[key].label}</a>`,
  )}</nav>`;
}

/** A count, linked to the task list of its tasks (`filter` undefined: no list filter selects exactly those). */
const countCell = (n: number, filter: Record<string, string | undefined> | undefined) =>
  Number.isNaN(n)
    ? html`<td>?</td>`
    : n === 0
      ? html`<td class="muted">0</td>`
      : filter
        ? html`<td><a href="${listHref(filter)}">${n}</a></td>`
        : html`<td>${n}</td>`;

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`);

export function overviewPage(session: Session, overview: Overview): Markup {
  const spec = OVERVIEW_WINDOWS[overview.window];
  const since = overview.since.toISOString().slice(0, 16);
  const totalEnded = OVERVIEW_OUTCOMES.reduce(
    (sum, o) => sum + (Number.isNaN(overview.totals[o]) ? 0 : overview.totals[o]),
    0,
  );
  const attention = overview.waiting.filter((w) => w.count > 0);
  const body = html`
${overview.errors.map((e) => notice('error', e))}
${windowPicker(overview.window)}
<p class="muted">Tasks that ended in the ${spec.label} (since ${since} UTC): <strong>${totalEnded}</strong>; running now: <strong>${shown(overview.totals.running)}</strong>. Counted by Temporal's visibility when this page was loaded.</p>
${outcomeChart(overview)}
<h2>By topic</h2>
<table class="counts">
<thead><tr><th>Topic</th>${OVERVIEW_OUTCOMES.map((o) => html`<th><span class="outcome ${o}">${OUTCOME_STYLE[o].label}</span></th>`)}<th>running now</th></tr></thead>
<tbody>
${overview.topics.map(
  (row) =>
    html`<tr><th scope="row"><a href="${listHref({ topic: row.topic })}">${row.topic}</a></th>${OVERVIEW_OUTCOMES.map(
      (o) => countCell(row.counts[o], outcomeFilter(o, { topic: row.topic, startedAfter: since })),
    )}${countCell(row.running, { topic: row.topic, status: 'Running' })}</tr>`,
)}
<tr class="total"><th scope="row">All topics</th>${OVERVIEW_OUTCOMES.map((o) =>
    countCell(overview.totals[o], outcomeFilter(o, { startedAfter: since })),
  )}${countCell(overview.totals.running, { status: 'Running' })}</tr>
</tbody>
</table>
<h2>Waiting now</h2>
${
  attention.length === 0
    ? html`<p class="muted">No running task waits in any state.</p>`
    : html`<table class="fields"><thead><tr><th>State</th><th>Tasks</th></tr></thead><tbody>${overview.waiting.map(
        (w) =>
          html`<tr><th scope="row"><code>${w.state}</code></th>${countCell(w.count, { status: 'Running', state: w.state })}</tr>`,
      )}</tbody></table>
<p class="muted">The states are explained in docs/operations.md ("Stuck tasks"); the first ones hold an incident.</p>`
}
<h2>Last hour</h2>
${
  overview.lastHour
    ? html`<table class="fields"><tbody>
<tr><th>Tasks ended</th><td>${overview.lastHour.closed} (${overview.lastHour.perMinute.toFixed(1)} a minute)</td></tr>
${
  overview.lastHour.latencyMs
    ? html`<tr><th>Start to close</th><td>median ${seconds(overview.lastHour.latencyMs.p50)}, 95th percentile ${seconds(overview.lastHour.latencyMs.p95)}, longest ${seconds(overview.lastHour.latencyMs.max)}${overview.lastHour.sampled < overview.lastHour.closed ? html` <span class="muted">(the newest ${overview.lastHour.sampled})</span>` : ''}</td></tr>`
    : ''
}
</tbody></table>`
    : html`<p class="muted">Not known: Temporal did not answer.</p>`
}
<h2>Engines</h2>
${
  overview.engines.length === 0
    ? html`<p class="muted">No engine is configured.</p>`
    : html`<table class="fields"><thead><tr><th>Engine</th><th>Answers</th></tr></thead><tbody>${overview.engines.map(
        (e) =>
          html`<tr><th scope="row">${e.name}</th><td>${e.ok ? html`<span class="result completed">yes</span> <span class="muted">(${e.ms} ms)</span>` : html`<span class="bad">no</span>: ${e.error ?? ''}`}</td></tr>`,
      )}</tbody></table>`
}`;
  return page({ title: 'Overview', session, active: '/console/overview', body });
}
