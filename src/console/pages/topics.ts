/**
 * The topic list: per engine and topic, its work unit, whether pollers fetch it and its version; links to its
 * tasks, and for an admin to edit, enable/disable (one click) and delete it.
 */
import { html } from 'hono/html';
import type { TopicKey, TopicRecord } from '../../store/schemas.ts';
import { type Markup, page } from '../layout.ts';
import type { Session } from '../session.ts';
import { type Column, editDeleteLinks, listPage } from './config-pages.ts';
import { csrfField } from './form-fields.ts';

export const TOPICS_PATH = '/console/topics';

/** The query that names a topic, e.g. `engine=test&topic=order`. */
export function topicQuery(key: TopicKey): string {
  return new URLSearchParams({ engine: key.engine, topic: key.topic }).toString();
}

export function topicTasksHref(topic: string): string {
  return `/console/tasks?${new URLSearchParams({ topic }).toString()}`;
}

const COLUMNS: ReadonlyArray<Column<TopicRecord>> = [
  { label: 'Engine', cell: (t) => t.engine },
  {
    label: 'Topic',
    cell: (t) => html`<a href="${TOPICS_PATH}/edit?${topicQuery(t)}"><code>${t.topic}</code></a>`,
  },
  {
    label: 'Work unit',
    cell: (t) => html`<a href="/console/work-units#unit-${t.workUnit}">${t.workUnit}</a>`,
  },
  {
    label: 'Enabled',
    cell: (t) => (t.enabled ? html`<span class="ok">yes</span>` : html`<span class="bad">no</span>`),
  },
  { label: 'Version', cell: (t) => String(t.version) },
  { label: 'Tasks', cell: (t) => html`<a class="tasks-link" href="${topicTasksHref(t.topic)}">tasks</a>` },
];

export function topicsPage(
  session: Session,
  topics: readonly TopicRecord[],
  options: {
    canWrite: boolean;
    readOnly?: string | undefined;
    done?: string | undefined;
    error?: string | undefined;
  },
): Markup {
  return listPage({
    title: 'Topics',
    active: TOPICS_PATH,
    session,
    rows: topics,
    columns: COLUMNS,
    ...options,
    newHref: `${TOPICS_PATH}/new`,
    newLabel: 'New topic',
    empty: 'No topic yet: a poller fetches nothing until one names its engine.',
    intro: html`<p class="muted">Each topic names the work unit that handles its external tasks. Pollers pick up a
change within seconds.</p>`,
    actions: (t) => {
      const query = topicQuery(t);
      return html`<form class="inline" method="post" action="${TOPICS_PATH}/enabled?${query}">
  ${csrfField(session)}
  <input type="hidden" name="version" value="${t.version}">
  <input type="hidden" name="enabled" value="${t.enabled ? 'false' : 'true'}">
  <button type="submit" class="secondary">${t.enabled ? 'Disable' : 'Enable'}</button>
</form> ${editDeleteLinks(`${TOPICS_PATH}/edit?${query}`, `${TOPICS_PATH}/delete?${query}`)}`;
    },
  });
}

/** A topic as a viewer sees it: every setting, read only. */
export function topicViewPage(session: Session, topic: TopicRecord): Markup {
  return page({
    title: `Topic ${topic.engine}/${topic.topic}`,
    session,
    active: TOPICS_PATH,
    body: html`<p class="muted">Read only: changing a topic needs an admin token.</p>
<p class="links"><a href="${topicTasksHref(topic.topic)}">Its tasks</a></p>
<pre id="topic">${JSON.stringify(topic, null, 2)}</pre>`,
  });
}
