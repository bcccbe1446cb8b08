/**
 * The ZGW client (src/zgw/zgw-client.ts) inside a work unit, through the real runner, against the loopback ZGW
 * server: the JWT and CRS headers it sends, pagination, the typed errors of each failure, lenient reading of
 * Open Zaak 1.30's deviations, and routing of a URL to the credentials of the service it is under.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';
import { startZgwTestServer, type ZgwTestServer } from '../../src/zgw/testing/index.ts';
import { ZgwClient } from '../../src/zgw/zgw-client.ts';
import {
  rolSchema,
  statusSchema,
  statustypeSchema,
  zaakSchema,
  zaaktypeSchema,
} from '../../src/zgw/zgw-schemas.ts';
import { LOOPBACK_POLICY, runZgw, startZgw, ZGW_CLIENT_ID, ZGW_SECRET, zgwServices } from '../support/zgw.ts';

/** What the probe unit does with its client: set by each test before it runs the unit. */
let script: (zgw: ZgwClient) => Promise<unknown> = async () => null;

/** A tiny unit that runs `script` with a ZgwClient made as the library units make theirs. */
const probe = defineWorkUnit({
  name: 'zgw-client-probe',
  description: 'Runs a test script with the ZGW client.',
  services: ['zrc', 'ztc', 'drc'],
  input: z.object({}),
  output: z.object({ json: z.string() }),
  run: async ({ services, log }) => {
    const zgw = ZgwClient.of({ services, log });
    return { json: JSON.stringify((await script(zgw)) ?? null) };
  },
});

let server: ZgwTestServer;
beforeAll(async () => {
  server = await startZgw();
});
afterAll(() => server?.close());
beforeEach(() => {
  server.requests.length = 0;
  server.violations.length = 0;
  server.setDeviations({
    emptyStringUris: false,
    gezetdoorNull: false,
    zaakobjecttypen: false,
    problemAsJson: false,
  });
});

const RSIN = '002220647';

async function run(body: (zgw: ZgwClient) => Promise<unknown>, on = server) {
  script = body;
  return runZgw(on, probe, {});
}

/** The script's answer, or fails the test with the failure. */
async function completed<T>(body: (zgw: ZgwClient) => Promise<T>): Promise<T> {
  const result = await run(body);
  if (result.outcome !== 'completed') throw new Error(`probe: ${JSON.stringify(result)}`);
  return JSON.parse(result.output.json) as T;
}

async function failed(body: (zgw: ZgwClient) => Promise<unknown>, on = server) {
  const result = await run(body, on);
  if (result.outcome !== 'failed') throw new Error(`expected a failure: ${JSON.stringify(result)}`);
  return result;
}

const zaakBody = (extra: Record<string, unknown> = {}) => ({
  bronorganisatie: RSIN,
  verantwoordelijkeOrganisatie: RSIN,
  zaaktype: server.seed.zaaktype,
  startdatum: '2026-02-01',
  ...extra,
});

const createZaak = (zgw: ZgwClient, extra: Record<string, unknown> = {}) =>
  zgw.post({ api: 'zaken', path: '/zaken' }, zaakBody(extra), zaakSchema);

describe('ZgwClient: what it sends', () => {
  it('a ZGW JWT with iss, iat, exp, client_id, user_id, user_representation, signed with the secret', async () => {
    await completed((zgw) => zgw.get(server.seed.zaaktype, zaaktypeSchema));
    const request = server.requests.at(-1);
    expect(request).toMatchObject({ method: 'GET', status: 200, clientId: ZGW_CLIENT_ID });
    const claims = request?.claims as Record<string, unknown>;
    expect(claims).toMatchObject({
      iss: ZGW_CLIENT_ID,
      client_id: ZGW_CLIENT_ID,
      user_id: 'bptl',
      user_representation: 'BPTL',
    });
    const now = Math.floor(Date.now() / 1000);
    expect(claims.iat).toBeGreaterThan(now - 60);
    expect(claims.iat).toBeLessThanOrEqual(now);
    expect(claims.exp).toBe((claims.iat as number) + 300);
    // The token itself: HS256 over header.payload with the client's secret.
    const token = request?.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    expect(signature).toBe(
      createHmac('sha256', ZGW_SECRET).update(`${header}.${payload}`).digest('base64url'),
    );
  });

  it('Zaken calls carry Accept-Crs and Content-Crs EPSG:4326; Catalogi calls need not', async () => {
    await completed(async (zgw) => {
      const zaak = await createZaak(zgw);
      await zgw.get(zaak.url, zaakSchema);
      await zgw.list({ api: 'zaken', path: '/zaken' }, zaakSchema, { identificatie: zaak.identificatie });
      await zgw.get(zaak.zaaktype, zaaktypeSchema);
    });
    const zaken = server.requests.filter((r) => r.path.startsWith('/zaken/api/v1/'));
    expect(zaken.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 201', 'GET 200', 'GET 200']);
    for (const request of zaken) {
      expect(request.headers['accept-crs']).toBe('EPSG:4326');
      expect(request.headers['content-crs']).toBe('EPSG:4326');
    }
    const catalogi = server.requests.filter((r) => r.path.startsWith('/catalogi/api/v1/'));
    expect(catalogi).toHaveLength(1);
    expect(catalogi[0]?.headers['accept-crs']).toBeUndefined();
    server.assertNoViolations();
  });
});

describe('ZgwClient: list', () => {
  it('follows next to the last page: every item of 105, over two pages', async () => {
    const bron = '987654321';
    const made = await completed(async (zgw) => (await createZaak(zgw, { bronorganisatie: bron })).url);
    const stored = server.store.get(made) as Record<string, unknown>;
    for (let i = 0; i < 104; i++) {
      const uuid = `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      server.store.add('zaken', {
        ...structuredClone(stored),
        url: `${server.baseUrls.zaken}/zaken/${uuid}`,
        uuid,
        identificatie: `ZAAK-LIST-${i}`,
      });
    }
    server.requests.length = 0;
    const urls = await completed(async (zgw) =>
      (await zgw.list({ api: 'zaken', path: '/zaken' }, zaakSchema, { bronorganisatie: bron })).map(
        (z) => z.url,
      ),
    );
    expect(urls).toHaveLength(105);
    expect(new Set(urls).size).toBe(105);
    expect(urls[0]).toBe(made);
    expect(urls.at(-1)).toBe(`${server.baseUrls.zaken}/zaken/10000000-0000-4000-8000-000000000103`);
    expect(server.requests.map((r) => r.query)).toEqual([
      { bronorganisatie: bron },
      { bronorganisatie: bron, page: '2' },
    ]);
    server.assertNoViolations();
  });
});

describe('ZgwClient: failures become typed errors', () => {
  it('400: non-retryable, the message names the field of invalidParams', async () => {
    const result = await failed((zgw) =>
      zgw.post({ api: 'zaken', path: '/zaken' }, { ...zaakBody(), startdatum: undefined }, zaakSchema),
    );
    expect(result).toMatchObject({ retryable: false, type: 'ZgwValidationError' });
    expect(result.message).toContain(`POST ${server.baseUrls.zaken}/zaken: HTTP 400`);
    expect(result.message).toMatch(/startdatum: /);
  });

  it('403 (wrong secret): non-retryable, naming the service and the client id, never the secret', async () => {
    const secret = 'not-the-right-secret-4711';
    const auth = { type: 'zgw' as const, clientId: ZGW_CLIENT_ID, secret };
    script = (zgw) => zgw.get(server.seed.zaaktype, zaaktypeSchema);
    const result = await runWorkUnit(
      probe,
      {},
      {
        services: zgwServices(server, auth),
        outboundPolicy: LOOPBACK_POLICY,
      },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'ZgwAuthError' });
    if (result.outcome !== 'failed') return;
    expect(result.message).toContain('HTTP 403');
    expect(result.message).toContain(`service 'ztc' (${server.baseUrls.catalogi})`);
    expect(result.message).toContain(`client id '${ZGW_CLIENT_ID}'`);
    expect(result.message).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(result.error)).not.toContain(secret);
    expect(String(result.error.stack)).not.toContain(secret);
  });

  it('401: non-retryable, naming the service and client id, with a hint at the credentials', async () => {
    server.failNext({ method: 'GET', path: '/zaken/api/v1/zaken', status: 401 });
    const result = await failed((zgw) => zgw.list({ api: 'zaken', path: '/zaken' }, zaakSchema));
    expect(result).toMatchObject({ retryable: false, type: 'ZgwAuthError' });
    expect(result.message).toContain('HTTP 401');
    expect(result.message).toContain(`service 'zrc'`);
    expect(result.message).toContain(`client id '${ZGW_CLIENT_ID}'`);
    expect(result.message).toContain('check the client id and secret');
    expect(JSON.stringify(result)).not.toContain(ZGW_SECRET);
  });

  it('404: non-retryable, naming the URL; getOrNull reads it as null', async () => {
    const missing = `${server.baseUrls.zaken}/zaken/20000000-0000-4000-8000-000000000404`;
    const result = await failed((zgw) => zgw.get(missing, zaakSchema));
    expect(result).toMatchObject({ retryable: false, type: 'ZgwNotFoundError' });
    expect(result.message).toContain(`GET ${missing}: HTTP 404 not found`);
    expect(await completed((zgw) => zgw.getOrNull(missing, zaakSchema))).toBeNull();
  });

  for (const status of [500, 503, 429]) {
    it(`${status}: retryable, naming the URL and status`, async () => {
      server.failNext({ method: 'GET', path: '/catalogi/api/v1/zaaktypen', status });
      const result = await failed((zgw) => zgw.get(server.seed.zaaktype, zaaktypeSchema));
      expect(result).toMatchObject({ retryable: true, type: 'ZgwUnavailableError' });
      expect(result.message).toContain(`GET ${server.seed.zaaktype}: HTTP ${status}`);
    });
  }

  it('Retry-After on a 503 is kept as the retry delay', async () => {
    server.failNext({
      method: 'GET',
      path: '/catalogi/api/v1/zaaktypen',
      status: 503,
      headers: { 'Retry-After': '30' },
    });
    const result = await failed((zgw) => zgw.get(server.seed.zaaktype, zaaktypeSchema));
    expect(result).toMatchObject({ retryable: true, type: 'ZgwUnavailableError' });
    expect(result.message).toContain('(Retry-After: 30 s)');
    expect(result.error.nextRetryDelay).toBeDefined();
  });

  it('a dropped answer (the server acted): retryable, no answer', async () => {
    server.dropAnswerNext({ method: 'POST', path: /\/zaken$/ });
    const before = server.store.count('zaken');
    const result = await failed((zgw) => createZaak(zgw));
    expect(result).toMatchObject({ retryable: true, type: 'ZgwUnavailableError' });
    expect(result.message).toContain(`POST ${server.baseUrls.zaken}/zaken: no answer`);
    expect(server.store.count('zaken')).toBe(before + 1);
  });
});

describe('ZgwClient: lenient reading of Open Zaak 1.30 deviations', () => {
  async function zaakWithStatusAndRol() {
    return completed(async (zgw) => {
      const zaak = await createZaak(zgw);
      const status = await zgw.post(
        { api: 'zaken', path: '/statussen' },
        {
          zaak: zaak.url,
          statustype: server.seed.statustypen[0],
          datumStatusGezet: new Date().toISOString(),
        },
        statusSchema,
      );
      const rol = await zgw.post(
        { api: 'zaken', path: '/rollen' },
        {
          zaak: zaak.url,
          roltype: server.seed.roltypen.initiator,
          betrokkeneType: 'natuurlijk_persoon',
          roltoelichting: 'aanvrager',
          betrokkeneIdentificatie: { inpBsn: '999999011' },
        },
        rolSchema,
      );
      return { zaak: zaak.url, status: status.url, rol: rol.url };
    });
  }

  it('emptyStringUris: "" in optional uri fields reads as absent', async () => {
    const urls = await zaakWithStatusAndRol();
    server.setDeviations({ emptyStringUris: true });
    const read = await completed(async (zgw) => ({
      zaak: await zgw.get(urls.zaak, zaakSchema),
      status: await zgw.get(urls.status, statusSchema),
      rol: await zgw.get(urls.rol, rolSchema),
    }));
    // The server did send "" (the deviation is on)...
    const answered = server.requests.filter((r) => r.method === 'GET').map((r) => r.status);
    expect(answered).toEqual([200, 200, 200]);
    // ...and the schemas read it as absent (JSON drops undefined).
    expect(read.status).not.toHaveProperty('gezetdoor');
    expect(read.status.url).toBe(urls.status);
    expect(read.rol).not.toHaveProperty('betrokkene');
    expect(read.rol.roltype).toBe(server.seed.roltypen.initiator);
    expect(read.zaak).toMatchObject({ url: urls.zaak, status: urls.status, hoofdzaak: '' });
    server.assertNoViolations();
  });

  it('gezetdoorNull: a status with gezetdoor null is read', async () => {
    const urls = await zaakWithStatusAndRol();
    server.setDeviations({ gezetdoorNull: true });
    const status = await completed((zgw) => zgw.get(urls.status, statusSchema));
    expect(status).toMatchObject({
      url: urls.status,
      zaak: urls.zaak,
      statustype: server.seed.statustypen[0],
    });
    expect(status).not.toHaveProperty('gezetdoor');
    const listed = await completed((zgw) =>
      zgw.list({ api: 'zaken', path: '/statussen' }, statusSchema, { zaak: urls.zaak }),
    );
    expect(listed.map((s) => s.url)).toEqual([urls.status]);
  });

  it('zaakobjecttypen: a statustype with a list instead of zaakobjecttype is read', async () => {
    server.setDeviations({ zaakobjecttypen: true });
    const statustype = await completed((zgw) => zgw.get(server.seed.statustypen[0], statustypeSchema));
    expect(statustype).toMatchObject({
      url: server.seed.statustypen[0],
      zaaktype: server.seed.zaaktype,
      volgnummer: 1,
    });
    expect(Array.isArray((statustype as Record<string, unknown>).zaakobjecttypen)).toBe(true);
    expect(statustype).not.toHaveProperty('zaakobjecttype');
  });

  it('problemAsJson: problems sent as application/json still become typed errors', async () => {
    server.setDeviations({ problemAsJson: true });
    const missing = `${server.baseUrls.zaken}/zaken/20000000-0000-4000-8000-000000000405`;
    const notFound = await failed((zgw) => zgw.get(missing, zaakSchema));
    expect(notFound).toMatchObject({ retryable: false, type: 'ZgwNotFoundError' });
    expect(notFound.message).toContain('(not_found)');
    const invalid = await failed((zgw) =>
      zgw.post({ api: 'zaken', path: '/zaken' }, { ...zaakBody(), zaaktype: 'not a url' }, zaakSchema),
    );
    expect(invalid).toMatchObject({ retryable: false, type: 'ZgwValidationError' });
    expect(invalid.message).toMatch(/zaaktype: /);
    expect(server.requests.at(-1)?.status).toBe(400);
  });
});

describe('ZgwClient: routing by base URL', () => {
  let two: ZgwTestServer;
  const zrcAuth = { type: 'zgw' as const, clientId: 'zaken-client', secret: 'zaken-secret' };
  const ztcAuth = { type: 'zgw' as const, clientId: 'catalogi-client', secret: 'catalogi-secret' };
  beforeAll(async () => {
    two = await startZgwTestServer({
      clients: { 'zaken-client': 'zaken-secret', 'catalogi-client': 'catalogi-secret' },
    });
  });
  afterAll(() => two?.close());

  function runOnTwo(body: (zgw: ZgwClient) => Promise<unknown>) {
    script = body;
    return runWorkUnit(
      probe,
      {},
      {
        services: {
          zrc: { baseUrl: two.baseUrls.zaken, auth: zrcAuth },
          ztc: { baseUrl: two.baseUrls.catalogi, auth: ztcAuth },
          drc: { baseUrl: two.baseUrls.documenten, auth: zrcAuth },
        },
        outboundPolicy: LOOPBACK_POLICY,
      },
    );
  }

  it("a zaak's zaaktype URL (on Catalogi) goes with ztc's credentials, the zaak with zrc's", async () => {
    const result = await runOnTwo(async (zgw) => {
      const zaak = await zgw.post(
        { api: 'zaken', path: '/zaken' },
        { ...zaakBody(), zaaktype: two.seed.zaaktype },
        zaakSchema,
      );
      const again = await zgw.get(zaak.url, zaakSchema);
      const zaaktype = await zgw.get(again.zaaktype, zaaktypeSchema);
      return zaaktype.identificatie;
    });
    expect(result).toMatchObject({ outcome: 'completed' });
    if (result.outcome === 'completed')
      expect(JSON.parse(result.output.json)).toBe(two.seed.zaaktypeIdentificatie);
    const who = two.requests.map(
      (r) => `${r.method} ${r.path.split('/').slice(0, 2).join('/')} ${r.clientId} ${r.status}`,
    );
    // POST /zaken looks up the zaaktype on the server's side: no request. Then GET zaak, GET zaaktype.
    expect(who).toEqual([
      'POST /zaken zaken-client 201',
      'GET /zaken zaken-client 200',
      'GET /catalogi catalogi-client 200',
    ]);
    two.assertNoViolations();
  });

  it('a URL under no bound service is refused before any request, not retried', async () => {
    two.requests.length = 0;
    const port = new URL(two.url).port;
    const elsewhere = `http://localhost:${port}/zaken/api/v1/zaken/30000000-0000-4000-8000-000000000001`;
    const result = await runOnTwo((zgw) => zgw.get(elsewhere, zaakSchema));
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome !== 'failed') return;
    expect(result.message).toContain(`http://localhost:${port}`);
    expect(result.message).toMatch(/not the origin of service/);
    expect(two.requests).toEqual([]);
    expect(JSON.stringify(result)).not.toMatch(/zaken-secret|catalogi-secret/);
  });

  it('a path, not a full URL, is refused with a clear non-retryable error and no request', async () => {
    two.requests.length = 0;
    const result = await runOnTwo((zgw) => zgw.get('/zaken/123', zaakSchema));
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed')
      expect(result.message).toContain("ZGW target '/zaken/123' is not a full URL");
    expect(two.requests).toEqual([]);
  });

  it('an API whose alias the unit lacks is refused naming the alias, no request', async () => {
    two.requests.length = 0;
    const result = await runOnTwo((zgw) => zgw.list({ api: 'objects', path: '/objects' }, zaakSchema));
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed') expect(result.message).toContain("service alias 'objects'");
    expect(two.requests).toEqual([]);
  });
});
