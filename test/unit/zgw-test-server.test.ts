/**
 * The loopback ZGW server itself, with plain fetch calls: its JWT check, its spec check of requests and answers,
 * the Open Zaak 1.30 deviations, pagination, the injected faults and its state.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signZgwJwt, type ZgwTestServer } from '../../src/zgw/testing/index.ts';
import { loadZgwOas } from '../../src/zgw/testing/oas-operations.ts';
import { startZgw, ZGW_CLIENT_ID, ZGW_SECRET } from '../support/zgw.ts';

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
const CRS = { 'Accept-Crs': 'EPSG:4326', 'Content-Crs': 'EPSG:4326' };

function headers(token: string | undefined = signZgwJwt(ZGW_CLIENT_ID, ZGW_SECRET)): Record<string, string> {
  return {
    ...CRS,
    Accept: 'application/json',
    'Content-Type': 'application/json',
    ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
  };
}

async function call(
  method: string,
  url: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: headers(token),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

const zaakBody = (extra: Record<string, unknown> = {}) => ({
  bronorganisatie: RSIN,
  verantwoordelijkeOrganisatie: RSIN,
  zaaktype: server.seed.zaaktype,
  startdatum: '2026-01-15',
  ...extra,
});

async function createZaak(extra: Record<string, unknown> = {}) {
  const created = await call('POST', `${server.baseUrls.zaken}/zaken`, zaakBody(extra));
  expect(created.status).toBe(201);
  return created.body as { url: string; uuid: string; identificatie: string };
}

/** The errors of `body` as the answer `status` of `method /zaken`, by Zaken 1.5.1 (its Fout / ValidatieFout). */
function zakenAnswerErrors(status: number, body: unknown, method = 'GET') {
  const oas = loadZgwOas();
  const found = oas.match('zaken', method, '/zaken');
  if (typeof found === 'string') throw new Error(`${method} /zaken: ${found}`);
  return oas.validateResponseBody(found.operation, status, body);
}

function expectProblem(body: Record<string, unknown>, status: number, code: string) {
  expect(body).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
  expect(String(body.type)).toMatch(/\/ref\/fouten\//);
  expect(String(body.instance)).toMatch(/^urn:uuid:/);
}

describe('the loopback ZGW server: authentication', () => {
  it('refuses a request without a token: 403 permission_denied as a problem', async () => {
    const answer = await fetch(`${server.baseUrls.zaken}/zaken`, { headers: CRS });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    const body = (await answer.json()) as Record<string, unknown>;
    expectProblem(body, 403, 'permission_denied');
    expect(zakenAnswerErrors(403, body)).toEqual([]);
    expect(server.requests.at(-1)).toMatchObject({ status: 403 });
    expect(server.requests.at(-1)?.clientId).toBeUndefined();
  });

  it('refuses a token signed with a wrong secret: 403, the client id known but not trusted', async () => {
    const answer = await call(
      'GET',
      `${server.baseUrls.zaken}/zaken`,
      undefined,
      signZgwJwt(ZGW_CLIENT_ID, 'wrong'),
    );
    expect(answer.status).toBe(403);
    expectProblem(answer.body, 403, 'permission_denied');
    expect(answer.body.detail).toBe('De JWT-signature is ongeldig.');
  });

  it('refuses an unknown client_id: 403 invalid-client-identifier', async () => {
    const answer = await call(
      'GET',
      `${server.baseUrls.zaken}/zaken`,
      undefined,
      signZgwJwt('stranger', ZGW_SECRET),
    );
    expect(answer.status).toBe(403);
    expectProblem(answer.body, 403, 'invalid-client-identifier');
  });

  it('refuses an expired token: 401 not_authenticated', async () => {
    const expired = signZgwJwt(ZGW_CLIENT_ID, ZGW_SECRET, { exp: Math.floor(Date.now() / 1000) - 60 });
    const answer = await call('GET', `${server.baseUrls.zaken}/zaken`, undefined, expired);
    expect(answer.status).toBe(401);
    expectProblem(answer.body, 401, 'not_authenticated');
    expect(zakenAnswerErrors(401, answer.body)).toEqual([]);
    // The check itself can fail: a problem without its required fields does not fit.
    expect(zakenAnswerErrors(401, { detail: 'x' })?.length).toBeGreaterThan(0);
  });

  it('accepts a valid token and records its client id and claims', async () => {
    const answer = await call('GET', `${server.baseUrls.catalogi}/zaaktypen`);
    expect(answer.status).toBe(200);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/catalogi/api/v1/zaaktypen',
      status: 200,
      clientId: ZGW_CLIENT_ID,
      claims: { client_id: ZGW_CLIENT_ID, iss: ZGW_CLIENT_ID, user_id: 'bptl' },
    });
    server.assertNoViolations();
  });
});

describe('the loopback ZGW server: the spec check of requests', () => {
  it('a POST /zaken without a required field: 400 naming it, recorded as a request violation', async () => {
    const { zaaktype: _, ...missing } = zaakBody();
    const before = server.store.count('zaken');
    const answer = await call('POST', `${server.baseUrls.zaken}/zaken`, missing);
    expect(answer.status).toBe(400);
    expectProblem(answer.body, 400, 'invalid');
    expect(zakenAnswerErrors(400, answer.body, 'POST')).toEqual([]);
    const names = (answer.body.invalidParams as { name: string }[]).map((p) => p.name);
    expect(names).toContain('zaaktype');
    expect(server.store.count('zaken')).toBe(before);
    expect(server.violations).toHaveLength(1);
    expect(server.violations[0]).toMatchObject({
      direction: 'request',
      method: 'POST',
      path: '/zaken/api/v1/zaken',
    });
    expect(server.violations[0]?.errors.join('\n')).toContain('zaaktype');
    expect(() => server.assertNoViolations()).toThrow(/request POST \/zaken\/api\/v1\/zaken: .*zaaktype/);
  });

  it('a field of the wrong type: 400 naming it, recorded', async () => {
    const answer = await call('POST', `${server.baseUrls.zaken}/zaken`, zaakBody({ startdatum: 20260115 }));
    expect(answer.status).toBe(400);
    const params = answer.body.invalidParams as { name: string; reason: string }[];
    expect(params.map((p) => p.name)).toContain('startdatum');
    expect(server.violations.map((v) => v.direction)).toEqual(['request']);
    expect(() => server.assertNoViolations()).toThrow(/startdatum/);
  });

  it('a Zaken request without Content-Crs: 412, recorded', async () => {
    const answer = await fetch(`${server.baseUrls.zaken}/zaken`, {
      headers: {
        Authorization: `Bearer ${signZgwJwt(ZGW_CLIENT_ID, ZGW_SECRET)}`,
        'Accept-Crs': 'EPSG:4326',
      },
    });
    expect(answer.status).toBe(412);
    expect(server.violations).toHaveLength(1);
    expect(server.violations[0]?.errors.join()).toMatch(/Content-Crs/);
  });

  it('a rule of the server (a concept zaaktype) is a 400 but no violation: the request fits the spec', async () => {
    const answer = await call(
      'POST',
      `${server.baseUrls.zaken}/zaken`,
      zaakBody({ zaaktype: server.seed.unpublishedZaaktype }),
    );
    expect(answer.status).toBe(400);
    expect((answer.body.invalidParams as { name: string }[]).map((p) => p.name)).toEqual(['zaaktype']);
    expect(server.violations).toEqual([]);
  });
});

describe('the loopback ZGW server: the spec check of answers', () => {
  it('an answer the spec forbids (a stored zaak missing required fields) is a 500 and a response violation', async () => {
    const url = `${server.baseUrls.zaken}/zaken/00000000-0000-4000-8000-000000000001`;
    server.store.add('zaken', { url, uuid: '00000000-0000-4000-8000-000000000001', bronorganisatie: RSIN });
    try {
      const answer = await call('GET', url);
      expect(answer.status).toBe(500);
      expectProblem(answer.body, 500, 'spec_violation');
      expect(server.violations).toHaveLength(1);
      expect(server.violations[0]).toMatchObject({ direction: 'response', method: 'GET' });
      expect(server.violations[0]?.errors.join('\n')).toMatch(/zaaktype|startdatum/);
      expect(() => server.assertNoViolations()).toThrow(/response GET/);
    } finally {
      server.store.delete(url);
    }
  });
});

describe('the loopback ZGW server: the Open Zaak 1.30 deviations (validated before they are applied)', () => {
  it('emptyStringUris: "" in the optional uri fields of a zaak (not the required ones), no violation', async () => {
    const zaak = await createZaak();
    const plain = await call('GET', zaak.url);
    for (const field of ['communicatiekanaal', 'selectielijstklasse', 'hoofdzaak'])
      expect(plain.body[field] ?? null).toBeNull();
    server.setDeviations({ emptyStringUris: true });
    const deviating = await call('GET', zaak.url);
    expect(deviating.status).toBe(200);
    expect(deviating.body.communicatiekanaal).toBe('');
    expect(deviating.body.selectielijstklasse).toBe('');
    expect(deviating.body.hoofdzaak).toBe('');
    // Required (nullable) uri fields keep their null: only optional ones deviate.
    expect(deviating.body.status).toBeNull();
    expect(deviating.body.resultaat).toBeNull();
    expect(deviating.body.url).toBe(zaak.url);
    expect(deviating.body.zaaktype).toBe(server.seed.zaaktype);
    server.assertNoViolations();
  });

  it('gezetdoorNull: a status has gezetdoor null, no violation', async () => {
    const zaak = await createZaak();
    const status = await call('POST', `${server.baseUrls.zaken}/statussen`, {
      zaak: zaak.url,
      statustype: server.seed.statustypen[0],
      datumStatusGezet: new Date().toISOString(),
    });
    expect(status.status).toBe(201);
    expect(status.body).not.toHaveProperty('gezetdoor', null);
    server.setDeviations({ gezetdoorNull: true });
    const read = await call('GET', String(status.body.url));
    expect(read.status).toBe(200);
    expect(read.body).toHaveProperty('gezetdoor', null);
    server.assertNoViolations();
  });

  it('zaakobjecttypen: a statustype has a list zaakobjecttypen instead of zaakobjecttype, no violation', async () => {
    const url = server.seed.statustypen[0];
    const plain = await call('GET', url);
    expect(plain.body).toHaveProperty('zaakobjecttype');
    expect(plain.body).not.toHaveProperty('zaakobjecttypen');
    server.setDeviations({ zaakobjecttypen: true });
    const read = await call('GET', url);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('zaakobjecttype');
    expect(read.body.zaakobjecttypen).toEqual(
      typeof plain.body.zaakobjecttype === 'string' && plain.body.zaakobjecttype !== ''
        ? [plain.body.zaakobjecttype]
        : [],
    );
    server.assertNoViolations();
  });

  it('problemAsJson: a problem comes as application/json, same body', async () => {
    const missing = `${server.baseUrls.zaken}/zaken/00000000-0000-4000-8000-00000000dead`;
    const plain = await call('GET', missing);
    expect(plain.status).toBe(404);
    expect(plain.type).toBe('application/problem+json');
    server.setDeviations({ problemAsJson: true });
    const deviating = await call('GET', missing);
    expect(deviating.status).toBe(404);
    expect(deviating.type).toBe('application/json');
    expectProblem(deviating.body, 404, 'not_found');
    server.assertNoViolations();
  });
});

describe('the loopback ZGW server: pagination', () => {
  it('a list over one page has next links that lead to every item, once each', async () => {
    const bron = '123456782';
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await createZaak({ bronorganisatie: bron })).url);
    const seen: string[] = [];
    let next: string | null = `${server.baseUrls.zaken}/zaken?bronorganisatie=${bron}&pageSize=2`;
    let pages = 0;
    while (next) {
      const page = await call('GET', next);
      expect(page.status).toBe(200);
      expect(page.body.count).toBe(5);
      pages += 1;
      for (const zaak of page.body.results as { url: string }[]) seen.push(zaak.url);
      if (pages > 1) expect(page.body.previous).toEqual(expect.stringContaining('page='));
      next = page.body.next as string | null;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(made);
    server.assertNoViolations();
  });

  it('the default page holds 100; the 101st item is on page 2', async () => {
    const bron = '111222333';
    const template = await createZaak({ bronorganisatie: bron });
    const stored = server.store.get(template.url) as Record<string, unknown>;
    for (let i = 0; i < 100; i++) {
      const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      server.store.add('zaken', {
        ...structuredClone(stored),
        url: `${server.baseUrls.zaken}/zaken/${uuid}`,
        uuid,
        identificatie: `ZAAK-PAGE-${i}`,
      });
    }
    const first = await call('GET', `${server.baseUrls.zaken}/zaken?bronorganisatie=${bron}`);
    expect(first.body.count).toBe(101);
    expect((first.body.results as unknown[]).length).toBe(100);
    expect(first.body.next).toBe(`${server.baseUrls.zaken}/zaken?bronorganisatie=${bron}&page=2`);
    const second = await call('GET', String(first.body.next));
    expect((second.body.results as unknown[]).length).toBe(1);
    expect(second.body.next).toBeNull();
    server.assertNoViolations();
  });
});

describe('the loopback ZGW server: injected faults', () => {
  it('failNext answers the given status (with Retry-After) without acting, then serves again', async () => {
    server.failNext({
      method: 'POST',
      path: '/zaken/api/v1/zaken',
      status: 503,
      headers: { 'Retry-After': '7' },
    });
    const before = server.store.count('zaken');
    const response = await fetch(`${server.baseUrls.zaken}/zaken`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(zaakBody()),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expectProblem((await response.json()) as Record<string, unknown>, 503, 'injected');
    expect(server.store.count('zaken')).toBe(before);
    await createZaak();
    expect(server.store.count('zaken')).toBe(before + 1);
    expect(server.requests.map((r) => r.status)).toEqual([503, 201]);
  });

  it('failNext matches only its method and path, `times` times', async () => {
    server.failNext({ method: 'GET', path: /\/zaaktypen$/, status: 429, times: 2 });
    const zaaktypen = `${server.baseUrls.catalogi}/zaaktypen`;
    expect((await call('GET', server.seed.zaaktype)).status).toBe(200);
    expect((await call('GET', zaaktypen)).status).toBe(429);
    expect((await call('GET', zaaktypen)).status).toBe(429);
    expect((await call('GET', zaaktypen)).status).toBe(200);
  });

  it('dropAnswerNext: the server acts, then closes the connection: the zaak exists, the client saw no answer', async () => {
    server.dropAnswerNext({ method: 'POST', path: /\/zaken$/ });
    const before = server.store.count('zaken');
    await expect(
      fetch(`${server.baseUrls.zaken}/zaken`, {
        method: 'POST',
        headers: headers(),
        body: JSON.stringify(zaakBody({ identificatie: 'ZAAK-DROPPED' })),
      }),
    ).rejects.toThrow();
    expect(server.store.count('zaken')).toBe(before + 1);
    expect(server.store.list('zaken').filter((z) => z.identificatie === 'ZAAK-DROPPED')).toHaveLength(1);
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', status: 0 });
    // The next request is answered again.
    expect((await call('GET', server.seed.zaaktype)).status).toBe(200);
  });

  it('holdAnswerNext: the server acts and never answers; the promise gives the held request once the zaak exists', async () => {
    const held = server.holdAnswerNext({ method: 'POST', path: /\/zaken$/ });
    const before = server.store.count('zaken');
    const client = new AbortController();
    const answer = fetch(`${server.baseUrls.zaken}/zaken`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(zaakBody({ identificatie: 'ZAAK-HELD' })),
      signal: client.signal,
    });
    const record = await held;
    expect(record).toMatchObject({ method: 'POST', path: '/zaken/api/v1/zaken', status: 0 });
    expect(server.store.list('zaken').filter((z) => z.identificatie === 'ZAAK-HELD')).toHaveLength(1);
    expect(server.store.count('zaken')).toBe(before + 1);
    let settled = false;
    answer.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    // A whole request and answer later, the held one still has no answer; then the client gives up (as a killed
    // client goes away) and its request fails: it never got one.
    expect((await call('GET', server.seed.zaaktype)).status).toBe(200);
    expect(settled).toBe(false);
    client.abort();
    await expect(answer).rejects.toThrow(/abort/i);
  });

  it('holdAnswerNext holds one request: the next matching one is carried out and answered', async () => {
    const held = server.holdAnswerNext({ method: 'POST', path: /\/zaken$/ });
    const client = new AbortController();
    const first = fetch(`${server.baseUrls.zaken}/zaken`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(zaakBody({ identificatie: 'ZAAK-HELD-1' })),
      signal: client.signal,
    });
    await held;
    const second = await createZaak({ identificatie: 'ZAAK-HELD-2' });
    expect(second.identificatie).toBe('ZAAK-HELD-2');
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([0, 201]);
    client.abort();
    await expect(first).rejects.toThrow(/abort/i);
  });
});

describe('the loopback ZGW server: state', () => {
  it('a POSTed zaak is read back; a POSTed status becomes the zaak status', async () => {
    const zaak = await createZaak({ omschrijving: 'Aanvraag kapvergunning' });
    expect(zaak.url).toBe(`${server.baseUrls.zaken}/zaken/${zaak.uuid}`);
    const read = await call('GET', zaak.url);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      url: zaak.url,
      identificatie: zaak.identificatie,
      bronorganisatie: RSIN,
      zaaktype: server.seed.zaaktype,
      startdatum: '2026-01-15',
      omschrijving: 'Aanvraag kapvergunning',
      status: null,
    });
    const status = await call('POST', `${server.baseUrls.zaken}/statussen`, {
      zaak: zaak.url,
      statustype: server.seed.statustypen[0],
      datumStatusGezet: '2026-01-15T10:00:00Z',
    });
    expect(status.status).toBe(201);
    expect(status.body).toMatchObject({ zaak: zaak.url, statustype: server.seed.statustypen[0] });
    const after = await call('GET', zaak.url);
    expect(after.body.status).toBe(status.body.url);
    const listed = await call(
      'GET',
      `${server.baseUrls.zaken}/statussen?zaak=${encodeURIComponent(zaak.url)}`,
    );
    expect((listed.body.results as { url: string }[]).map((s) => s.url)).toEqual([status.body.url]);
    server.assertNoViolations();
  });

  it('a path no API has is a 404 problem; a method a path lacks is a 405', async () => {
    expect((await call('GET', `${server.url}/nowhere/api/v1/things`)).status).toBe(404);
    const answer = await call('DELETE', `${server.baseUrls.catalogi}/zaaktypen`);
    expect(answer.status).toBe(405);
    expectProblem(answer.body, 405, 'method_not_allowed');
  });
});
