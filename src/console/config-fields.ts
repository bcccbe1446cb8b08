/**
 * The fields of the console's topic, engine and service forms: one per setting of the API's schemas
 * (src/store/schemas.ts), scalars as inputs, lists comma-separated, objects (service bindings) as JSON.
 * Secrets are write-only fields (forms.ts).
 */
import { EXECUTIONS } from '../config/topic-config.ts';
import type { FieldSpec } from './forms.ts';

export const TOPIC_FIELDS: readonly FieldSpec[] = [
  { name: 'engine', label: 'Engine', kind: 'select', createOnly: true, required: true },
  {
    name: 'topic',
    label: 'Topic',
    kind: 'text',
    createOnly: true,
    required: true,
    help: "Camunda's topic name",
  },
  { name: 'workUnit', label: 'Work unit', kind: 'select', required: true },
  { name: 'enabled', label: 'Enabled (pollers fetch it)', kind: 'checkbox', initial: 'on' },
  { name: 'description', label: 'Description', kind: 'text' },
  {
    name: 'services',
    label: 'Service bindings (JSON)',
    kind: 'json',
    help: 'the work unit\'s service alias → a service\'s name, e.g. { "zrc": "zaken" }; empty: none',
  },
  {
    name: 'applications',
    label: 'Applications (bptlAppId) its tasks may name',
    kind: 'list',
    help: "comma-separated; a task naming another fails. Empty: any the bound services have credentials of (a task without bptlAppId uses the services' default credentials)",
  },
  {
    name: 'execution',
    label: 'Execution',
    kind: 'select',
    options: EXECUTIONS,
    emptyLabel: "(the work unit's)",
    help: "activity: on the work-unit task queue; local: a local activity, for units that finish in seconds; empty: the work unit's own (local for noop and the camunda-* units, else activity)",
  },
  { name: 'lockDurationMs', label: 'Lock duration (ms)', kind: 'number', help: 'empty: 60000' },
  {
    name: 'variables',
    label: 'Variables to fetch',
    kind: 'list',
    help: 'comma-separated; empty: all of them',
  },
  { name: 'localVariables', label: 'Fetch only local variables', kind: 'checkbox' },
  { name: 'processDefinitionKey', label: 'Only of process definition key', kind: 'text' },
  { name: 'businessKey', label: 'Only of business key', kind: 'text' },
  { name: 'tenantIdIn', label: 'Only of tenants', kind: 'list', help: 'comma-separated; empty: any' },
  {
    name: 'retry.maximumAttempts',
    label: 'Retry: attempts in all',
    kind: 'number',
    help: 'the first included; empty: 3',
  },
  { name: 'retry.initialIntervalMs', label: 'Retry: first wait (ms)', kind: 'number', help: 'empty: 1000' },
  { name: 'retry.backoffCoefficient', label: 'Retry: backoff coefficient', kind: 'number', help: 'empty: 2' },
  {
    name: 'retry.maximumIntervalMs',
    label: 'Retry: longest wait (ms)',
    kind: 'number',
    help: 'empty: 60000',
  },
  {
    name: 'startToCloseTimeoutMs',
    label: 'Time-out of one attempt (ms)',
    kind: 'number',
    help: 'empty: 300000',
  },
  { name: 'heartbeatTimeoutMs', label: 'Heartbeat time-out (ms)', kind: 'number', help: 'empty: 30000' },
  {
    name: 'camundaRetries',
    label: 'Camunda retries on failure',
    kind: 'number',
    help: '0 raises an incident; empty: 0',
  },
  { name: 'camundaRetryTimeoutMs', label: 'Camunda retry time-out (ms)', kind: 'number', help: 'empty: 0' },
  {
    name: 'refusedCompletionAttempts',
    label: 'Attempts of a refused completion',
    kind: 'number',
    help: 'before an incident; empty: 3',
  },
  {
    name: 'outbound.allowedOrigins',
    label: 'Outbound: allowed origins',
    kind: 'list',
    help: 'http-request and the callback may call these instead of BPTL_OUTBOUND_ALLOWED_ORIGINS (comma-separated: https://api.example.nl, https://*.example.nl, *); empty: the global setting',
  },
  {
    name: 'outbound.errorDetails',
    label: 'Outbound: answers and query strings in failure messages (redacted)',
    kind: 'checkbox',
  },
];

const secretHelp = 'write-only: never shown';

export const ENGINE_FIELDS: readonly FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', createOnly: true, required: true },
  {
    name: 'url',
    label: 'REST URL',
    kind: 'text',
    required: true,
    help: 'e.g. http://127.0.0.1:8080/engine-rest',
  },
  { name: 'workerIdPrefix', label: 'Worker id prefix', kind: 'text', help: 'empty: BPTL_WORKER_ID' },
  { name: 'auth.type', label: 'Auth', kind: 'select', options: ['none', 'basic', 'bearer'], initial: 'none' },
  { name: 'auth.username', label: 'Basic: user name', kind: 'text', authTypes: ['basic'], required: true },
  { name: 'auth.password', label: 'Basic: password', kind: 'secret', authTypes: ['basic'], help: secretHelp },
  { name: 'auth.token', label: 'Bearer: token', kind: 'secret', authTypes: ['bearer'], help: secretHelp },
];

export const SERVICE_FIELDS: readonly FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', createOnly: true, required: true },
  {
    name: 'baseUrl',
    label: 'Base URL',
    kind: 'text',
    required: true,
    help: "root URL of the service's API",
  },
  { name: 'kind', label: 'Kind', kind: 'text', help: 'e.g. http, zrc, drc, ztc; empty: http' },
  {
    name: 'auth.type',
    label: 'Auth',
    kind: 'select',
    options: ['none', 'basic', 'bearer', 'api-key', 'zgw'],
    initial: 'none',
  },
  { name: 'auth.username', label: 'Basic: user name', kind: 'text', authTypes: ['basic'], required: true },
  { name: 'auth.password', label: 'Basic: password', kind: 'secret', authTypes: ['basic'], help: secretHelp },
  { name: 'auth.token', label: 'Bearer: token', kind: 'secret', authTypes: ['bearer'], help: secretHelp },
  { name: 'auth.header', label: 'API key: header', kind: 'text', authTypes: ['api-key'], required: true },
  { name: 'auth.key', label: 'API key: key', kind: 'secret', authTypes: ['api-key'], help: secretHelp },
  { name: 'auth.clientId', label: 'ZGW: client id', kind: 'text', authTypes: ['zgw'], required: true },
  { name: 'auth.secret', label: 'ZGW: secret', kind: 'secret', authTypes: ['zgw'], help: secretHelp },
];

/** An application's own credentials for a service: its id (a task's `bptlAppId`) and a service's auth fields. */
export const CREDENTIAL_FIELDS: readonly FieldSpec[] = [
  {
    name: 'applicationId',
    label: 'Application id',
    kind: 'text',
    createOnly: true,
    required: true,
    help: "a task's bptlAppId variable",
  },
  ...SERVICE_FIELDS.filter((field) => field.name.startsWith('auth.')),
];
