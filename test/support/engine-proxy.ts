/**
 * A loopback HTTP proxy in front of a real Camunda engine, for tests that must know what a child process's long
 * poll is doing: how many fetchAndLock requests reached the engine and are not answered yet (a long poll in
 * progress), and how many tasks the engine's answers carried. Requests and answers pass unchanged. When the
 * client goes away, the request to the engine is left open, as the engine does not notice either: its answer
 * is still counted (a late answer that locked a task nobody reads).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EngineProxy {
  /** The engine-rest base URL of the proxy, to give the client instead of the engine's. */
  readonly baseUrl: string;
  /** fetchAndLock requests sent on to the engine and not answered by it yet. */
  readonly pendingFetches: () => number;
  /** fetchAndLock requests the engine answered, and the tasks in those answers. */
  readonly answeredFetches: () => { fetches: number; tasks: number };
  close(): Promise<void>;
}

export async function startEngineProxy(engineRestUrl: string): Promise<EngineProxy> {
  const target = new URL(engineRestUrl);
  let pending = 0;
  const answered = { fetches: 0, tasks: 0 };
  const server = createServer((req, res) => {
    const isFetch = req.method === 'POST' && (req.url ?? '').endsWith('/external-task/fetchAndLock');
    let counted = false;
    const settle = () => {
      if (counted) pending--;
      counted = false;
    };
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (!res.destroyed) res.write(chunk);
        });
        answer.on('end', () => {
          if (isFetch) {
            settle();
            answered.fetches++;
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
              if (Array.isArray(body)) answered.tasks += body.length;
            } catch {
              // not a list of tasks: an error answer
            }
          }
          if (!res.destroyed) res.end();
        });
        if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, answer.headers);
      },
    );
    upstream.on('error', () => {
      settle();
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
    // Counted once the whole request is on its way to the engine.
    if (isFetch)
      upstream.on('finish', () => {
        counted = true;
        pending++;
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    pendingFetches: () => pending,
    answeredFetches: () => ({ ...answered }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
