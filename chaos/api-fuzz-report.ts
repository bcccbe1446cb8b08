/**
 * Reads schemathesis's NDJSON event stream (`--report ndjson`) into the figures of the fuzzer's row: every
 * request made (each scenario's recorder holds its test cases, their interactions and their checks), the answers
 * with a 5xx status, the answers that failed a conformance check, and schemathesis's non-fatal errors (a request
 * that timed out or was refused). The JUnit report has only the unique failures; this stream has every call.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The checks whose failure means "the API does not do what the document says": an answer's status, content
 * type, headers or body that the document does not describe; a request the document forbids that the API
 * accepted anyway (negative_data_rejection); a method the document does not list for a path that is not a 405
 * (unsupported_method). Left out: positive_data_acceptance, since a request can fit every schema and still be
 * refused by design (an engine that does not exist, 422; a stale If-Match, 412; a name taken, 409).
 */
export const CONFORMANCE_CHECKS: readonly string[] = [
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'unsupported_method',
];

/** The check whose failure means "the answer was a 5xx". */
export const SERVER_ERROR_CHECK = 'not_a_server_error';

/** One failed check (or a request without an answer), for the report. */
export interface FuzzFailure {
  /** `GET /tasks`: the operation as the document names it. */
  operation: string;
  /** The check's name (`not_a_server_error`, `response_schema_conformance` …), or `network` for no answer. */
  check: string;
  status?: number;
  message: string;
}

/** What one run of schemathesis found. */
export interface SchemathesisReport {
  schemathesisVersion: string;
  /** Operations that had at least one request, as `METHOD /path`. */
  operations: string[];
  /** Requests made. */
  calls: number;
  /** Answers with status >= 500. */
  serverErrors: number;
  /** Answers that failed at least one of CONFORMANCE_CHECKS. */
  mismatches: number;
  /** Requests that got no answer (time-out, connection refused) and other errors schemathesis reported. */
  errors: number;
  /** The first `maxFailures` failures, 5xx and mismatches and errors, in the order they happened. */
  failures: FuzzFailure[];
}

interface Check {
  name: string;
  status: string;
  failure_info?: { failure?: { title?: string; message?: string; code?: string } };
}

interface Recorder {
  label: string;
  cases?: Record<string, { value?: { method?: string; path?: string } }>;
  interactions?: Record<
    string,
    { request?: { method?: string }; response?: { status_code?: number } | null }
  >;
  checks?: Record<string, Check[]>;
}

const STATEFUL_LABEL = 'Stateful tests';

type Event = {
  Initialize?: { schemathesis_version?: string };
  ScenarioFinished?: { recorder?: Recorder };
  NonFatalError?: { label?: string; value?: { type?: string; message?: string } };
  FatalError?: { exception?: { message?: string } } & Record<string, unknown>;
};

/** Parses schemathesis's NDJSON events file. Throws when the file holds no Initialize event (not a report). */
export async function readSchemathesisReport(
  file: string,
  options: { maxFailures?: number } = {},
): Promise<SchemathesisReport> {
  const maxFailures = options.maxFailures ?? 20;
  const report: SchemathesisReport = {
    schemathesisVersion: '',
    operations: [],
    calls: 0,
    serverErrors: 0,
    mismatches: 0,
    errors: 0,
    failures: [],
  };
  const operations = new Set<string>();
  const fail = (failure: FuzzFailure) => {
    if (report.failures.length < maxFailures) report.failures.push(failure);
  };
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Event;
    if (event.Initialize) report.schemathesisVersion = event.Initialize.schemathesis_version ?? '';
    if (event.NonFatalError) {
      report.errors++;
      const { label, value } = event.NonFatalError;
      fail({
        operation: label ?? '(run)',
        check: 'network',
        message: `${value?.type ?? 'Error'}: ${value?.message ?? ''}`,
      });
    }
    if (event.FatalError) {
      report.errors++;
      fail({ operation: '(run)', check: 'fatal', message: JSON.stringify(event.FatalError).slice(0, 500) });
    }
    const recorder = event.ScenarioFinished?.recorder;
    if (!recorder?.interactions) continue;
    for (const [caseId, interaction] of Object.entries(recorder.interactions)) {
      // A scenario is labelled with its operation, except the stateful ones ("Stateful tests"), whose cases
      // each name theirs (the path as the document writes it).
      const value = recorder.cases?.[caseId]?.value;
      const operation =
        recorder.label === STATEFUL_LABEL && value?.method && value.path
          ? `${value.method.toUpperCase()} ${value.path}`
          : recorder.label;
      operations.add(operation);
      report.calls++;
      const status = interaction.response?.status_code;
      if (status !== undefined && status >= 500) report.serverErrors++;
      const failed = (recorder.checks?.[caseId] ?? []).filter((check) => check.status === 'failure');
      if (failed.some((check) => CONFORMANCE_CHECKS.includes(check.name))) report.mismatches++;
      for (const check of failed) {
        const info = check.failure_info?.failure;
        fail({
          operation,
          check: check.name,
          ...(status === undefined ? {} : { status }),
          message: [info?.title, info?.message].filter(Boolean).join(': ').slice(0, 1000),
        });
      }
    }
  }
  if (!report.schemathesisVersion) throw new Error(`${file} is not a schemathesis NDJSON report`);
  report.operations = [...operations].sort();
  return report;
}
