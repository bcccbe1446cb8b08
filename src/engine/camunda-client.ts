/**
 * A client for the Camunda 7 REST API (Camunda 7, Operaton, CIB seven): the external-task commands BPTL
 * needs, plus the few deployment, process and history calls used by the demo, the tests and work units.
 * Every failure becomes an EngineError carrying the status and Camunda's error type and code, with the
 * failed request as an HttpRequestError for its cause (never the AxiosError: it holds the credentials).
 */
import axios, { type AxiosInstance, type AxiosRequestConfig, isAxiosError } from 'axios';
import { z } from 'zod';
import type { EngineAuth } from '../config/topic-config.ts';
import { toHttpRequestError } from '../http/http-request-error.ts';
import { EngineError } from './engine-error.ts';
import {
  type ExternalTask,
  externalTaskSchema,
  type FetchAndLockRequest,
  type LockedExternalTask,
  lockedExternalTaskSchema,
} from './external-task.ts';
import type { CamundaVariables } from './variables.ts';

/** One entry of a fetchAndLock answer: a task, or one that did not match the expected shape. */
export type FetchedTask =
  | { ok: true; task: LockedExternalTask }
  | { ok: false; id?: string; problem: string };

export interface CamundaClientOptions {
  /** The REST API's base URL, e.g. `http://127.0.0.1:8080/engine-rest`. */
  baseUrl: string;
  /** How to authenticate (the configuration's type, config/topic-config.ts). @default { type: 'none' } */
  auth?: EngineAuth;
  /** Time-out of a call other than a long poll, in milliseconds. @default 30000 */
  timeoutMs?: number;
}

/** A Camunda 7 REST API client. Safe to share; holds no state but its HTTP agent. */
export class CamundaClient {
  readonly baseUrl: string;
  private readonly http: AxiosInstance;

  constructor(options: CamundaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const auth = options.auth ?? { type: 'none' };
    this.http = axios.create({
      baseURL: this.baseUrl,
      timeout: options.timeoutMs ?? 30_000,
      // Redirects are not followed: a POST redirected loses its meaning, and axios's redirect layer
      // (follow-redirects) doubled the CPU of every call (bench/engine-client.ts: 320 → 160 µs per complete).
      // A 3xx becomes an EngineError that names where it pointed (redirectMessage).
      maxRedirects: 0,
      headers: {
        'content-type': 'application/json',
        ...(auth.type === 'bearer' ? { authorization: `Bearer ${auth.token}` } : {}),
      },
      ...(auth.type === 'basic' ? { auth: { username: auth.username, password: auth.password } } : {}),
    });
  }

  private async call<T>(method: string, path: string, config: AxiosRequestConfig = {}): Promise<T> {
    const operation = `${method} ${path}`;
    try {
      const response = await this.http.request<T>({ method, url: path, ...config });
      return response.data;
    } catch (error) {
      throw toEngineError(operation, error);
    }
  }

  /**
   * Long-polls for tasks and locks them for `request.workerId`. Answers as soon as one task is locked, or
   * with `[]` after `asyncResponseTimeout`. The HTTP time-out is the long-poll time plus a margin.
   */
  async fetchAndLock(request: FetchAndLockRequest, signal?: AbortSignal): Promise<FetchedTask[]> {
    const timeout = (request.asyncResponseTimeout ?? 0) + 10_000;
    const data = await this.call<unknown>('POST', '/external-task/fetchAndLock', {
      data: request,
      timeout,
      transformResponse: parseJsonKeepingBigIntegers,
      ...(signal ? { signal } : {}),
    });
    if (!Array.isArray(data)) {
      throw new EngineError(
        'POST /external-task/fetchAndLock',
        'the engine did not answer with a list of tasks',
      );
    }
    // Each task is parsed on its own, so that one malformed task cannot lose the others.
    return data.map((raw): FetchedTask => {
      const parsed = lockedExternalTaskSchema.safeParse(raw);
      if (parsed.success) return { ok: true, task: parsed.data };
      const id = (raw as { id?: unknown } | null)?.id;
      return { ok: false, ...(typeof id === 'string' ? { id } : {}), problem: z.prettifyError(parsed.error) };
    });
  }

  /** Completes a task, setting process variables (and local variables on the task's execution). */
  async complete(
    taskId: string,
    body: { workerId: string; variables?: CamundaVariables; localVariables?: CamundaVariables },
  ): Promise<void> {
    await this.call('POST', `/external-task/${encodeURIComponent(taskId)}/complete`, { data: body });
  }

  /** Reports a failure. With `retries` 0 the engine raises an incident carrying `errorMessage`. */
  async failure(
    taskId: string,
    body: {
      workerId: string;
      errorMessage: string;
      errorDetails?: string;
      retries: number;
      retryTimeout: number;
    },
  ): Promise<void> {
    await this.call('POST', `/external-task/${encodeURIComponent(taskId)}/failure`, { data: body });
  }

  /** Throws a BPMN error in the process, caught by a matching error boundary event. */
  async bpmnError(
    taskId: string,
    body: { workerId: string; errorCode: string; errorMessage?: string; variables?: CamundaVariables },
  ): Promise<void> {
    await this.call('POST', `/external-task/${encodeURIComponent(taskId)}/bpmnError`, { data: body });
  }

  /** Extends a lock the worker still holds, to `newDuration` ms from now. Fails once the lock expired. */
  async extendLock(taskId: string, body: { workerId: string; newDuration: number }): Promise<void> {
    await this.call('POST', `/external-task/${encodeURIComponent(taskId)}/extendLock`, { data: body });
  }

  /** Locks a task (again); can re-acquire an expired lock unless another worker holds it. */
  async lock(taskId: string, body: { workerId: string; lockDuration: number }): Promise<void> {
    await this.call('POST', `/external-task/${encodeURIComponent(taskId)}/lock`, { data: body });
  }

  /** Releases a task's lock (no worker check), so it is offered again at once. */
  async unlock(taskId: string): Promise<void> {
    await this.call('POST', `/external-task/${encodeURIComponent(taskId)}/unlock`);
  }

  /**
   * The tasks locked for a worker id now (`GET /external-task?workerId=…&locked=true`). Throws an EngineError
   * when the answer is not a list of tasks.
   */
  async lockedTasks(workerId: string, maxResults = 1000): Promise<ExternalTask[]> {
    const data = await this.call<unknown>('GET', '/external-task', {
      params: { workerId, locked: true, maxResults },
    });
    const parsed = z.array(externalTaskSchema).safeParse(data);
    if (!parsed.success) {
      throw new EngineError(
        'GET /external-task',
        `the engine did not answer with a list of tasks: ${z.prettifyError(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  /** Reads one external task. */
  async getTask(taskId: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/external-task/${encodeURIComponent(taskId)}`);
  }

  /** The engine's names (`GET /engine`): a cheap readiness probe. */
  async engines(timeoutMs = 5_000): Promise<Array<{ name: string }>> {
    return this.call('GET', '/engine', { timeout: timeoutMs });
  }

  /** Deploys BPMN (or DMN) files. */
  async deploy(
    name: string,
    files: Array<{ filename: string; content: string }>,
    options: { duplicateFiltering?: boolean } = {},
  ): Promise<{
    id: string;
    deployedProcessDefinitions?: Record<string, { id: string; key: string }> | null;
  }> {
    const form = new FormData();
    form.set('deployment-name', name);
    form.set('enable-duplicate-filtering', String(options.duplicateFiltering ?? true));
    form.set('deploy-changed-only', 'true');
    for (const file of files) {
      form.set(file.filename, new Blob([file.content], { type: 'application/xml' }), file.filename);
    }
    return this.call('POST', '/deployment/create', { data: form, headers: { 'content-type': undefined } });
  }

  /** Starts a process instance of the latest version of a definition. */
  async startProcess(
    key: string,
    body: { variables?: CamundaVariables; businessKey?: string } = {},
  ): Promise<{ id: string; businessKey?: string | null; ended?: boolean }> {
    return this.call('POST', `/process-definition/key/${encodeURIComponent(key)}/start`, { data: body });
  }

  /** Any GET against the REST API, for reads this client has no method for (history, incidents, …). */
  async get<T = unknown>(path: string, params?: Record<string, string | number | boolean>): Promise<T> {
    return this.call('GET', path, params ? { params } : {});
  }

  /** Any POST against the REST API. */
  async post<T = unknown>(path: string, data?: unknown): Promise<T> {
    return this.call('POST', path, data === undefined ? {} : { data });
  }

  /** Any PUT against the REST API. */
  async put<T = unknown>(path: string, data?: unknown): Promise<T> {
    return this.call('PUT', path, data === undefined ? {} : { data });
  }

  /** Any DELETE against the REST API. */
  async delete(path: string, params?: Record<string, string | number | boolean>): Promise<void> {
    await this.call('DELETE', path, params ? { params } : {});
  }
}

/**
 * Parses JSON like JSON.parse, but keeps integers beyond 2^53 exact, as their decimal text: Camunda's Long
 * variables may exceed what a JavaScript number holds. The variable codec turns such text into a bigint.
 */
export function parseJsonKeepingBigIntegers(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return text;
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source
      ? context.source
      : value,
  );
}

const isRedirect = (status: number) => status >= 300 && status < 400;

/** What to do about a redirect: the engine's url points elsewhere (http → https, a moved context path). */
function redirectMessage(status: number, location: unknown): string {
  let target = '';
  if (typeof location === 'string') {
    try {
      // Origin and path only: a query could carry a token.
      const url = new URL(location, 'http://engine.invalid');
      target = url.origin === 'http://engine.invalid' ? url.pathname : `${url.origin}${url.pathname}`;
    } catch {
      target = '';
    }
  }
  return (
    `the engine answered HTTP ${status}, a redirect${target ? ` to ${target}` : ''}, which BPTL does not follow: ` +
    "set the engine's url to the address it redirects to"
  );
}

function toEngineError(operation: string, error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (isAxiosError(error)) {
    // The AxiosError itself must not travel: its config holds the Authorization header or the password.
    const cause = toHttpRequestError(error);
    if (error.response) {
      const body = error.response.data as { type?: unknown; message?: unknown; code?: unknown } | undefined;
      const message =
        typeof body?.message === 'string'
          ? body.message
          : isRedirect(error.response.status)
            ? redirectMessage(error.response.status, error.response.headers?.location)
            : `HTTP ${error.response.status} ${error.response.statusText}`;
      return new EngineError(operation, message, {
        status: error.response.status,
        ...(typeof body?.type === 'string' ? { engineType: body.type } : {}),
        ...(typeof body?.code === 'number' ? { engineCode: body.code } : {}),
        cause,
      });
    }
    const reason = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' ? 'timed out' : error.message;
    return new EngineError(operation, `the engine did not answer (${reason})`, { cause });
  }
  return new EngineError(operation, (error as Error)?.message ?? String(error), { cause: error });
}
