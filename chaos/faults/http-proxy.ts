/**
 * An HTTP/1.1 reverse proxy on loopback in front of the Camunda REST API, for the chaos run. Besides
 * forwarding, it can hold one exchange — before the engine sees the request, or after the engine answered and
 * before the client hears — then release or drop it; and it can blackhole everything, as a network that loses
 * packets would. When the engine is down it answers 502, as a real reverse proxy does.
 */
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

export interface HoldRule {
  /** Matches any method when absent; compared case-insensitively. */
  method?: string;
  /** Tested against the request's path without its query. */
  path: RegExp;
  phase: 'request' | 'response';
  /** Gives the hold up: its promise rejects with the signal's reason and no exchange is held. */
  signal?: AbortSignal;
}

export interface HeldExchange {
  method: string;
  /** The request's path with its query. */
  path: string;
  requestBody: string;
  /** Set in the 'response' phase: the upstream's status. */
  status?: number;
  /** Set in the 'response' phase: the upstream's body. */
  responseBody?: string;
  /** When it was held (epoch milliseconds). */
  heldAt: number;
  /**
   * 'request': forward it now — even when the client has given up meanwhile (a late packet: the engine acts,
   * nobody hears the answer); 'response': send the held answer now. Subject to a blackhole like any traffic.
   * Only the first of release() and drop() counts.
   */
  release(): void;
  /** Destroys the client's socket (the client sees a reset/hang-up); a held request never reaches the engine. */
  drop(): void;
}

export interface HttpProxy {
  /** http://127.0.0.1:<port> (append the upstream's path yourself, e.g. `${url}/engine-rest`). */
  readonly url: string;
  readonly port: number;
  /**
   * One-shot: resolves with the first exchange that matches, held — 'request': before it reaches the upstream
   * (the engine never saw it); 'response': after the upstream answered, before the client gets the answer
   * (the engine did it, the client does not know). An exchange is claimed when its request arrives; if the
   * upstream then fails (502), the rule waits for the next match. Rejects when the proxy closes.
   */
  hold(rule: HoldRule): Promise<HeldExchange>;
  /**
   * From now on nothing passes either way: new and pending requests wait, answers in flight wait (as if
   * packets were dropped); the client only sees its own time-out.
   */
  blackhole(): void;
  /** Everything waiting passes again, in order (requests whose client has gone meanwhile are not forwarded). */
  restore(): void;
  readonly blackholed: boolean;
  /** Requests seen (counted on arrival, blackholed or not), by routeOf(method, url). */
  counts(): Record<string, number>;
  /** Closes all sockets too; pending holds reject. */
  close(): Promise<void>;
}

/** Headers that belong to one connection, not to the exchange (RFC 9110 §7.6.1). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The headers to pass on: all but the hop-by-hop ones, including those the Connection header names. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase()),
  );
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name) && !named.has(name)) result[name] = value;
  }
  return result;
}

const uuidLike = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function isId(segment: string): boolean {
  return (
    uuidLike.test(segment) || /^\d+$/.test(segment) || (/^[0-9a-f]{8,}$/i.test(segment) && /\d/.test(segment))
  );
}

/**
 * The key counts() uses: `${method} ${path without query}` with ids (segments holding a uuid, decimal
 * segments, and hex segments of 8 or more with a digit) replaced by ':id',
 * e.g. 'POST /engine-rest/external-task/:id/complete'.
 */
export function routeOf(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  return `${method} ${path
    .split('/')
    .map((segment) => (isId(segment) ? ':id' : segment))
    .join('/')}`;
}

interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

interface PendingHold {
  rule: HoldRule;
  resolve(exchange: HeldExchange): void;
  reject(reason: unknown): void;
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    stream.once('close', () => reject(new Error('closed before its end')));
  });
}

function gone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded;
}

export async function startHttpProxy(options: { target: string; port?: number }): Promise<HttpProxy> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const holds: PendingHold[] = [];
  const seen = new Map<string, number>();
  /** What waits for the blackhole to lift, in arrival order. */
  const waiting: (() => void)[] = [];
  let blackholed = false;

  /** Runs `step` now, or after restore() when blackholed. */
  function whenOpen(step: () => void): void {
    if (blackholed) waiting.push(step);
    else step();
  }

  /** Copies `from` to `to` chunk by chunk, with back-pressure, each chunk and the end waiting out a blackhole. */
  function pump(from: Readable, to: Writable): void {
    from.on('data', (chunk: Buffer) => {
      if (blackholed) from.pause();
      whenOpen(() => {
        if (to.destroyed) return;
        if (to.write(chunk)) from.resume();
        else {
          from.pause();
          to.once('drain', () => whenOpen(() => from.resume()));
        }
      });
    });
    from.once('end', () => whenOpen(() => to.destroyed || to.end()));
  }

  function badGateway(res: ServerResponse, error: Error): void {
    whenOpen(() => {
      if (gone(res)) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const code = (error as NodeJS.ErrnoException).code ?? error.message;
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Bad gateway: ${target.host} (${code})\n`);
    });
  }

  /**
   * Sends the request upstream: its body streamed from the client, or `body` when it was read already. The
   * answer streams back, unless `held` takes it whole (the 'response' phase).
   */
  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    onAnswer?: (answer: Answer | Error) => void,
  ): void {
    if (body === undefined && gone(res)) return; // the client gave up while it waited
    let answered = false;
    const held =
      onAnswer &&
      ((answer: Answer | Error) => {
        if (answered) return; // a later error of an exchange already answered or failed
        answered = true;
        onAnswer(answer);
      });
    const upstream = http.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: endToEndHeaders(req.headers),
      agent,
    });
    upstream.on('error', (error) => (held ? held(error) : badGateway(res, error)));
    if (!held) res.once('close', () => res.writableFinished || upstream.destroy());
    upstream.on('response', (answer) => {
      answer.on('error', (error) => (held ? held(error) : res.destroy(error)));
      const status = answer.statusCode ?? 502;
      const headers = endToEndHeaders(answer.headers);
      if (held) {
        readAll(answer).then(
          (answerBody) => held({ status, headers, body: answerBody }),
          (error: Error) => held(error),
        );
        return;
      }
      whenOpen(() => {
        if (gone(res)) {
          answer.resume(); // read and drop it, so the upstream connection can be reused
          return;
        }
        res.writeHead(status, headers);
        pump(answer, res);
      });
    });
    if (body === undefined) pump(req, upstream);
    else upstream.end(body);
  }

  /** Puts a claimed hold back first in line, when its exchange came to nothing to hold. */
  function requeue(hold: PendingHold): void {
    if (hold.rule.signal?.aborted) hold.reject(hold.rule.signal.reason);
    else holds.unshift(hold);
  }

  /** The first pending hold whose rule matches, taken off the list. */
  function claim(req: IncomingMessage): PendingHold | undefined {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const index = holds.findIndex(({ rule }) => {
      rule.path.lastIndex = 0;
      return (!rule.method || rule.method.toUpperCase() === req.method) && rule.path.test(path);
    });
    return index < 0 ? undefined : holds.splice(index, 1)[0];
  }

  function holdExchange(req: IncomingMessage, res: ServerResponse, hold: PendingHold, body: Buffer): void {
    let settled = false;
    const once = (step: () => void) => () => {
      if (settled) return;
      settled = true;
      step();
    };
    const exchange = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      requestBody: body.toString('utf8'),
      heldAt: Date.now(),
      drop: once(() => req.socket.destroy()),
    };
    if (hold.rule.phase === 'request') {
      hold.resolve({ ...exchange, release: once(() => whenOpen(() => forward(req, res, body))) });
      return;
    }
    whenOpen(() =>
      forward(req, res, body, (answer) => {
        if (answer instanceof Error) {
          requeue(hold); // no answer to hold: wait for the next exchange
          badGateway(res, answer);
          return;
        }
        hold.resolve({
          ...exchange,
          status: answer.status,
          responseBody: answer.body.toString('utf8'),
          release: once(() =>
            whenOpen(() => {
              if (gone(res)) return;
              res.writeHead(answer.status, answer.headers);
              res.end(answer.body);
            }),
          ),
        });
      }),
    );
  }

  const server = http.createServer((req, res) => {
    const route = routeOf(req.method ?? 'GET', req.url ?? '/');
    seen.set(route, (seen.get(route) ?? 0) + 1);
    req.on('error', () => {}); // a client reset: 'close' follows, and is handled
    res.on('error', () => {});
    const hold = claim(req);
    if (!hold) {
      whenOpen(() => forward(req, res, undefined));
      return;
    }
    readAll(req).then(
      (body) => holdExchange(req, res, hold, body),
      () => requeue(hold), // the client left before its body was in
    );
  });
  // A held or blackholed request may wait longer than Node's default 300 s for a whole request.
  server.requestTimeout = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hold(rule) {
      return new Promise((resolve, reject) => {
        const pending: PendingHold = { rule, resolve, reject };
        if (rule.signal?.aborted) {
          reject(rule.signal.reason);
          return;
        }
        rule.signal?.addEventListener(
          'abort',
          () => {
            // Once claimed, an exchange is on its way to being held; the abort then comes too late.
            const index = holds.indexOf(pending);
            if (index < 0) return;
            holds.splice(index, 1);
            reject(rule.signal?.reason);
          },
          { once: true },
        );
        holds.push(pending);
      });
    },
    blackhole() {
      blackholed = true;
    },
    restore() {
      blackholed = false;
      for (const step of waiting.splice(0)) whenOpen(step);
    },
    get blackholed() {
      return blackholed;
    },
    counts() {
      return Object.fromEntries(seen);
    },
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      waiting.length = 0;
      for (const { reject } of holds.splice(0)) reject(new Error('the HTTP proxy was closed'));
      return closed;
    },
  };
}
