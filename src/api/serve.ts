/** Serves the API on a port (0 for any free port); resolves once listening. */
import { type ServerType, serve } from '@hono/node-server';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Anything with Hono's `fetch`. */
export interface FetchApp {
  fetch: (request: Request) => Response | Promise<Response>;
}

export function serveApi(app: FetchApp, options: { port: number; hostname: string }): Promise<RunningApi> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    try {
      server = serve(
        { fetch: (request) => app.fetch(request), port: options.port, hostname: options.hostname },
        (info) => {
          resolve({
            url: `http://${options.hostname}:${info.port}`,
            close: () => new Promise<void>((done) => server.close(() => done())),
          });
        },
      );
      server.once('error', reject);
    } catch (error) {
      reject(error);
    }
  });
}
