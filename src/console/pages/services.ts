/**
 * The service list's columns (name, kind, base URL, auth type but never its secret, version, a link to its
 * credentials per application), and those of a service's credentials.
 */
import { html } from 'hono/html';
import type { CredentialRecord, ServiceRecord } from '../../store/schemas.ts';
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
  {
    label: 'Per application',
    cell: (s) =>
      html`<a class="credentials-link" href="${CREDENTIALS_PATH}?service=${encodeURIComponent(s.name)}">credentials</a>`,
  },
];

/** A service's credentials per application: the list of one service's (`?service=`). */
export const CREDENTIALS_PATH = `${SERVICES_PATH}/credentials`;

/** A credential row under the name the generic pages key rows by: its application id. */
export type NamedCredential = CredentialRecord & { name: string };

export const CREDENTIAL_COLUMNS: ReadonlyArray<Column<NamedCredential>> = [
  {
    label: 'Application',
    cell: (r) =>
      html`<a href="${CREDENTIALS_PATH}/edit?service=${encodeURIComponent(r.service)}&name=${encodeURIComponent(r.name)}"><code>${r.name}</code></a>`,
  },
  { label: 'Auth', cell: (r) => authSummary(r.auth) },
  { label: 'Version', cell: (r) => String(r.version) },
];
