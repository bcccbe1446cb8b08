/** Serves the API on a port (0 for any free port); resolves once listening. */
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export function serveApi(app: Hono, options: { port: number; hostname: string }): Promise<RunningApi> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }, (info) => {
        resolve({
          url: `http://${options.hostname}:${info.port}`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
      server.once('error', reject);
    } catch (error) {
      reject(error);
    }
  });
}
