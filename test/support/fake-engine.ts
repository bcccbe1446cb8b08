/**
 * A loopback fake of the Camunda 7 external-task REST API, for unit tests of the poller's parts: a real
 * node:http server on 127.0.0.1, port 0, speaking the contract of the endpoints the poller uses (see
 * /work/shared/REFERENCE.md §1-3), and recording every request.
 *
 * - `POST /external-task/fetchAndLock`: answers at once with the queued tasks (up to `maxTasks`), locking them
 *   for the request's worker id; else parks the request until a task is queued or `asyncResponseTimeout`
 *   passes (then `[]`). Like an engine with `fetch-and-lock-unique-worker-request`, a new request of the same
 *   worker id answers the parked one with `[]`. A request without topics is answered `[]` at once.
 * - `POST /external-task/{id}/unlock`: releases the lock (204), 404 for a task it does not know.
 * - `POST /external-task/{id}/failure`: releases the lock (204; the task keeps its worker id).
 * - `GET /external-task?workerId=…&locked=true`: the tasks locked for that worker id.
 *
 * Tasks are raw JSON, so a test can queue one that does not parse. `hold(path)` makes the answers to a path wait
 * until the test releases them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake engine received. */
export interface RecordedRequest {
  method: string;
  /** The path below `/engine-rest`, e.g. `/external-task/t1/unlock`. */
  path: string;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: a request body as the test reads it
  body: any;
}

interface ParkedFetch {
  workerId: string;
  maxTasks: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export class FakeEngine {
  readonly requests: RecordedRequest[] = [];
  /** The engine-rest base URL, e.g. `http://127.0.0.1:43123/engine-rest`. */
  baseUrl = '';
  private readonly server = createServer((req, res) => void this.serve(req, res));
  private readonly queued: Array<Record<string, unknown>> = [];
  /** Task id → the worker id it is locked for. */
  private readonly locks = new Map<string, string>();
  private readonly known = new Map<string, Record<string, unknown>>();
  private readonly parked = new Set<ParkedFetch>();
  private readonly holds = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();

  /** Starts a fake engine on a free loopback port. */
  static async start(): Promise<FakeEngine> {
    const engine = new FakeEngine();
    await new Promise<void>((resolve) => engine.server.listen(0, '127.0.0.1', resolve));
    const { port } = engine.server.address() as AddressInfo;
    engine.baseUrl = `http://127.0.0.1:${port}/engine-rest`;
    return engine;
  }

  /** Queues tasks for the next fetchAndLock (raw JSON: `{ id, topicName, … }`, or anything malformed). */
  queue(...tasks: Array<Record<string, unknown>>): void {
    this.queued.push(...tasks);
    for (const parked of [...this.parked]) {
      if (this.queued.length === 0) break;
      this.answerFetch(parked);
    }
  }

  /** Marks a task as locked for a worker id, as if an earlier fetch (before a crash) had locked it. */
  lock(task: Record<string, unknown>, workerId: string): void {
    this.known.set(String(task.id), task);
    this.locks.set(String(task.id), workerId);
  }

  /** The ids of the tasks locked for a worker id. */
  lockedFor(workerId: string): string[] {
    return [...this.locks].filter(([, w]) => w === workerId).map(([id]) => id);
  }

  /** Holds the answers to requests of this path (below `/engine-rest`) until the returned function is called. */
  hold(path: string): () => void {
    let release = () => {};
    this.holds.set(
      path,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return () => {
      this.holds.delete(path);
      release();
    };
  }

  /** The requests to a path, optionally of one method. */
  requestsTo(path: string, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path && (method === undefined || r.method === method));
  }

  /** Resolves with the first request (from `from` on) that matches, or rejects after `timeoutMs`. */
  async waitForRequest(
    matches: (request: RecordedRequest) => boolean,
    { from = 0, timeoutMs = 5_000 }: { from?: number; timeoutMs?: number } = {},
  ): Promise<RecordedRequest> {
    const find = () => this.requests.slice(from).find(matches);
    const found = find();
    if (found) return found;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no such request within ${timeoutMs} ms; got: ${this.describe()}`));
      }, timeoutMs);
      const check = () => {
        const request = find();
        if (!request) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(request);
      };
      this.listeners.add(check);
    });
  }

  /** The requests so far, one line each, for a failure message. */
  describe(): string {
    return this.requests.map((r) => `${r.method} ${r.path}`).join(', ');
  }

  async close(): Promise<void> {
    for (const parked of this.parked) {
      clearTimeout(parked.timer);
      parked.res.destroy();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/engine-rest/, '');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(request);
    for (const listener of [...this.listeners]) listener();
    await this.holds.get(path);
    this.route(request, res);
  }

  private route(request: RecordedRequest, res: ServerResponse): void {
    const { method, path } = request;
    if (method === 'POST' && path === '/external-task/fetchAndLock') {
      this.fetchAndLock(request, res);
      return;
    }
    if (method === 'GET' && path === '/external-task') {
      const workerId = request.query.get('workerId');
      const tasks = this.lockedFor(workerId ?? '').map((id) => ({
        ...this.known.get(id),
        workerId,
      }));
      json(res, 200, tasks);
      return;
    }
    const command = /^\/external-task\/([^/]+)\/(unlock|failure)$/.exec(path);
    if (method === 'POST' && command) {
      const id = decodeURIComponent(command[1] ?? '');
      if (!this.known.has(id)) {
        json(res, 404, {
          type: 'RestException',
          message: `External task with id ${id} does not exist`,
        });
        return;
      }
      this.locks.delete(id);
      res.writeHead(204).end();
      return;
    }
    json(res, 404, { type: 'NotFoundException', message: `fake engine: no route for ${method} ${path}` });
  }

  private fetchAndLock(request: RecordedRequest, res: ServerResponse): void {
    const { workerId, maxTasks, asyncResponseTimeout = 0, topics = [] } = request.body;
    for (const parked of [...this.parked]) {
      if (parked.workerId === workerId) this.answer(parked, []); // fetch-and-lock-unique-worker-request
    }
    if (topics.length === 0) {
      json(res, 200, []);
      return;
    }
    const parked: ParkedFetch = {
      workerId,
      maxTasks,
      res,
      timer: setTimeout(() => this.answer(parked, []), asyncResponseTimeout),
    };
    res.on('close', () => {
      clearTimeout(parked.timer);
      this.parked.delete(parked);
    });
    this.parked.add(parked);
    if (this.queued.length > 0) this.answerFetch(parked);
  }

  private answerFetch(parked: ParkedFetch): void {
    const tasks = this.queued.splice(0, parked.maxTasks);
    for (const task of tasks) {
      if (typeof task.id !== 'string') continue;
      this.known.set(task.id, task);
      this.locks.set(task.id, parked.workerId);
    }
    this.answer(
      parked,
      tasks.map((task) => ({ ...task, workerId: parked.workerId })),
    );
  }

  private answer(parked: ParkedFetch, tasks: unknown[]): void {
    clearTimeout(parked.timer);
    this.parked.delete(parked);
    json(parked.res, 200, tasks);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
