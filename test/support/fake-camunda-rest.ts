/**
 * A stand-in for the part of Camunda 7's REST API that the process-starting units use, on loopback: starting a
 * process by definition key (`POST /process-definition/key/{key}/start`, recorded in `starts`), and finding
 * running instances (`GET /process-instance` by `processDefinitionKey`, `businessKey` and `variables`
 * `name_eq_value` filters). History (`GET /history/process-instance`) is always empty: the instances it starts
 * never end. Anything else is a 404 naming the request, so a unit that asks for more shows up.
 *
 * It speaks the protocol with a real node:http server (not a mock of the engine client), so the units' requests
 * go through CamundaClient as they would to an engine; the integration tests cover the real engine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One process start the fake received: its definition key, body, and the instance id it answered. */
export interface FakeCamundaStart {
  key: string;
  id: string;
  body: { businessKey?: string; variables?: Record<string, unknown> };
}

export interface FakeCamunda {
  /** The REST base URL, ending in `/engine-rest` (as CamundaClient's `baseUrl`). */
  baseUrl: string;
  /** Every process start, in order (a test may empty it; instance ids stay unique). */
  starts: FakeCamundaStart[];
  close(): Promise<void>;
}

interface Instance {
  id: string;
  key: string;
  businessKey?: string;
  variables: Record<string, unknown>;
}

/** Starts the fake on a free loopback port. */
export async function startFakeCamunda(): Promise<FakeCamunda> {
  const starts: FakeCamundaStart[] = [];
  const instances: Instance[] = [];
  const http: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const start = /^\/engine-rest\/process-definition\/key\/([^/]+)\/start$/.exec(url.pathname);
    if (req.method === 'POST' && start) {
      const key = decodeURIComponent(start[1] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      // Numbered over the fake's life, not `starts` (which a test may empty), so that ids stay unique.
      const id = `instance-${instances.length + 1}`;
      starts.push({ key, id, body });
      instances.push({ id, key, businessKey: body.businessKey, variables: body.variables ?? {} });
      json(200, {
        id,
        definitionId: `${key}:1:def`,
        businessKey: body.businessKey ?? null,
        caseInstanceId: null,
        tenantId: null,
        links: [],
        ended: false,
        suspended: false,
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/engine-rest/process-instance') {
      const key = url.searchParams.get('processDefinitionKey');
      const businessKey = url.searchParams.get('businessKey');
      const filters = (url.searchParams.get('variables') ?? '').split(',').filter(Boolean);
      const found = instances.filter(
        (instance) =>
          (!key || instance.key === key) &&
          (!businessKey || instance.businessKey === businessKey) &&
          filters.every((filter) => {
            const [name = '', value] = filter.split('_eq_');
            return (instance.variables[name] as { value?: unknown } | undefined)?.value === value;
          }),
      );
      json(
        200,
        found.map((instance) => ({
          id: instance.id,
          definitionId: `${instance.key}:1:def`,
          businessKey: instance.businessKey ?? null,
          links: [],
          ended: false,
          suspended: false,
        })),
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/engine-rest/history/process-instance') {
      json(200, []);
      return;
    }
    json(404, { type: 'RestException', message: `no such resource ${req.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/engine-rest`,
    starts,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
