/**
 * Why a workflow start failed, and whether trying again can help. The poller acts on the kind:
 *
 * | kind            | examples                                                     | the poller             |
 * |-----------------|--------------------------------------------------------------|------------------------|
 * | `deterministic` | input over the blob size limit or the gRPC message limit,    | reports the failure at |
 * |                 | another INVALID_ARGUMENT, FAILED_PRECONDITION (not "already  | once, `retries: 0`: an |
 * |                 | started"), a value the data converter cannot encode          | incident               |
 * | `transient`     | UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (rate     | tries again; then a    |
 * |                 | limits), anything unknown                                    | failure with retries   |
 *
 * Pure functions over the error the Temporal client throws (a `ServiceError` whose `cause` is the gRPC error),
 * so the table is unit-tested without a server. The messages go to Camunda's `errorMessage`: written for the
 * operator who reads them in Cockpit.
 */

/** gRPC status codes (`@grpc/grpc-js` `status`), by name. */
export const GrpcStatus = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
} as const;

const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

import { DEFAULT_BLOB_SIZE_LIMIT_BYTES } from '../errors.ts';

export { DEFAULT_BLOB_SIZE_LIMIT_BYTES };

/** Errors of the data converter: the input cannot be encoded, however often it is tried. */
const CONVERTER_ERROR_NAMES = new Set(['PayloadConverterError', 'ValueError']);

/** "(Sent|received) message larger than max (5243032 vs. 4194304)": grpc-js on the client, or the server. */
const GRPC_MESSAGE_SIZE = /message larger than max \((\d+) vs\.? (\d+)\)/i;

/**
 * A payload or message size error, in the shapes Temporal uses: "Blob data size exceeds limit." (a payload
 * over `limit.blobSize.error`), "Memo size exceeds limit.", "… size … exceeds size limit …" (search attributes),
 * `BlobSizeLimitError`, and gRPC's "message larger than max". Rate limits ("… limit exceeded") are not.
 */
const SIZE_ERROR =
  /blob data size exceeds|\bsize\b[^.]*\bexceeds\b|larger than max|BlobSizeLimit|payload[^.]*too large/i;

export type StartErrorKind = 'deterministic' | 'transient';

export interface ClassifiedStartError {
  kind: StartErrorKind;
  /** The gRPC status name, when the error came from the service (or the client's gRPC layer). */
  status?: string;
  /** The most telling message: the gRPC details, else the error's own message. */
  detail: string;
  /** Set for a size error: the input is larger than Temporal accepts. */
  tooLarge?: {
    /** The size the error names (a gRPC message), in bytes. */
    sizeBytes?: number;
    /** The limit the error names (a gRPC message), in bytes. */
    limitBytes?: number;
  };
}

export interface GrpcLike {
  code: number;
  details: string;
}

function isGrpcLike(value: unknown): value is Error & GrpcLike {
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'number' &&
    typeof (value as { details?: unknown }).details === 'string'
  );
}

/** The first gRPC error (a ServiceError's cause, or the error itself) in the error's cause chain. */
export function grpcCause(error: unknown): (Error & GrpcLike) | undefined {
  return causeChain(error).find(isGrpcLike);
}

/** The error and its causes, outermost first (cycles and depth bounded). */
function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 10 && !chain.includes(current)) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/** Classifies an error thrown by `client.workflow.start` or `signalWithStart`. */
export function classifyStartError(error: unknown): ClassifiedStartError {
  const chain = causeChain(error);
  const grpc = chain.find(isGrpcLike);
  const status = grpc ? GRPC_STATUS_NAMES[grpc.code] : undefined;
  const detail = grpc?.details || chain.at(-1)?.message || String(error);
  const base = { ...(status ? { status } : {}), detail };
  const texts = chain.map((e) => (isGrpcLike(e) ? `${e.details} ${e.message}` : e.message));

  const sized = texts.map((t) => GRPC_MESSAGE_SIZE.exec(t)).find((m) => m !== null);
  if (sized) {
    return {
      kind: 'deterministic',
      ...base,
      tooLarge: { sizeBytes: Number(sized[1]), limitBytes: Number(sized[2]) },
    };
  }
  if (texts.some((t) => SIZE_ERROR.test(t))) return { kind: 'deterministic', ...base, tooLarge: {} };
  if (chain.some((e) => CONVERTER_ERROR_NAMES.has(e.name))) return { kind: 'deterministic', ...base };
  if (grpc?.code === GrpcStatus.INVALID_ARGUMENT) return { kind: 'deterministic', ...base };
  if (grpc?.code === GrpcStatus.FAILED_PRECONDITION && !/already started/i.test(grpc.details)) {
    return { kind: 'deterministic', ...base };
  }
  return { kind: 'transient', ...base };
}

/** What went wrong, in the service's words, as a sentence: "UNAVAILABLE: No connection established." */
function serviceWords(error: ClassifiedStartError): string {
  // grpc-js ends some details with a dangling "Resolution note: ".
  const words = (error.status ? `${error.status}: ${error.detail}` : error.detail).replace(/[\s:;,]+$/, '');
  return /[.!?]$/.test(words) ? words : `${words}.`;
}

/**
 * The errorMessage of a start that cannot succeed (the incident's message). `inputBytes` is the size of the
 * workflow's input as the poller measured it, used when the error does not name a size.
 */
export function deterministicStartMessage(error: ClassifiedStartError, inputBytes: number): string {
  const prefix = 'BPTL cannot start a workflow for this task';
  if (error.tooLarge) {
    const sizeBytes = error.tooLarge.sizeBytes ?? inputBytes;
    const limit =
      error.tooLarge.limitBytes !== undefined
        ? `${error.tooLarge.limitBytes} bytes per gRPC message`
        : `${DEFAULT_BLOB_SIZE_LIMIT_BYTES} bytes by default, Temporal's blob size limit`;
    return (
      `${prefix}: the task's input is larger than Temporal accepts (${sizeBytes} bytes; limit ${limit}). ` +
      `Temporal said: ${serviceWords(error)} Fetch only the variables the work unit needs (the topic's ` +
      `'variables') or keep large data out of process variables, then retry the incident.`
    );
  }
  return `${prefix}: Temporal refused it: ${serviceWords(error)} Retrying will not help until that is fixed.`;
}

/** The errorMessage of a start that failed for a transient reason on every try. */
export function transientStartMessage(
  error: ClassifiedStartError,
  tries: number,
  retryTimeoutMs: number,
  retriesLeft: number,
): string {
  const next =
    retriesLeft > 0
      ? `Camunda offers it again in ${Math.round(retryTimeoutMs / 1000)} s (${retriesLeft} ${retriesLeft === 1 ? 'retry' : 'retries'} left).`
      : 'No retries left: retry the incident once Temporal is reachable.';
  const tried = `${tries} ${tries === 1 ? 'try' : 'tries'}`;
  return `BPTL could not start a workflow for this task (${tried}): Temporal: ${serviceWords(error)} ${next}`;
}

/** The errorDetails: the workflow id and every error of the chain with its stack. */
export function startErrorDetails(error: unknown, workflowId: string): string {
  const chain = causeChain(error);
  const parts = chain.map((e, i) => {
    const stack = e.stack?.includes(e.message) ? e.stack : `${e.name}: ${e.message}\n${e.stack ?? ''}`;
    return `${i === 0 ? '' : 'Caused by: '}${stack}`;
  });
  if (chain.length === 0) parts.push(String(error));
  return `workflow id: ${workflowId}\n${parts.join('\n')}`;
}
