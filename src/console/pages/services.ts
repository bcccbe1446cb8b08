/** The service list's columns: name, kind, base URL, auth type (never its secret), version. */
import { html } from 'hono/html';
import type { ServiceRecord } from '../../store/schemas.ts';
import type { Column } from './config-pages.ts';
import { authSummary } from './engines.ts';

export const SERVICES_PATH = '/console/services';

export const SERVICE_COLUMNS: ReadonlyArray<Column<ServiceRecord>> = [
  {
    label: 'Name',
    cell: (s) =>
      html`<a href="${SERVICES_PATH}/edit?name=${encodeURIComponent(s.name)}"><code>${s.name}</code></a>`,
  },
  { label: 'Kind', cell: (s) => s.kind },
  { label: 'Base URL', cell: (s) => s.baseUrl },
  { label: 'Auth', cell: (s) => authSummary(s.auth) },
  { label: 'Version', cell: (s) => String(s.version) },
];
