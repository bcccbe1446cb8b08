/** The engine list's columns: name, REST URL, auth type (never its secret), worker-id prefix, version. */
import { html } from 'hono/html';
import type { EngineRecord } from '../../store/schemas.ts';
import type { Column } from './config-pages.ts';

export const ENGINES_PATH = '/console/engines';

export const ENGINE_COLUMNS: ReadonlyArray<Column<EngineRecord>> = [
  {
    label: 'Name',
    cell: (e) =>
      html`<a href="${ENGINES_PATH}/edit?name=${encodeURIComponent(e.name)}"><code>${e.name}</code></a>`,
  },
  { label: 'REST URL', cell: (e) => e.url },
  { label: 'Auth', cell: (e) => authSummary(e.auth) },
  {
    label: 'Worker id prefix',
    cell: (e) => e.workerIdPrefix ?? html`<span class="muted">BPTL_WORKER_ID</span>`,
  },
  { label: 'Version', cell: (e) => String(e.version) },
];

/** An auth object as a list shows it: its type and the names that are not secret. Never the secret. */
export function authSummary(auth: { type: string } & Record<string, unknown>): string {
  switch (auth.type) {
    case 'basic':
      return `basic (user ${String(auth.username)}, password set)`;
    case 'bearer':
      return 'bearer (token set)';
    case 'api-key':
      return `api-key (header ${String(auth.header)}, key set)`;
    case 'zgw':
      return `zgw (client ${String(auth.clientId)}, secret set)`;
    default:
      return auth.type;
  }
}
