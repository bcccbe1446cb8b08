/**
 * The OpenAPI document: valid OpenAPI 3.1 (by an offline validator), every schema in it a valid JSON Schema
 * 2020-12, and it covers exactly the routes the Hono app registers.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let document: Record<string, unknown> & { paths: Record<string, Record<string, Record<string, unknown>>> };

beforeAll(async () => {
  api = await createTestApi();
  const res = await api.request('GET', '/openapi.json', { token: null });
  expect(res.status).toBe(200);
  document = (await res.json()) as typeof document;
});

afterAll(async () => {
  await api?.close();
});

/** Every object under `value` that sits at a `schema` key (parameters, bodies, responses, components). */
function schemas(value: unknown, at = '', found: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object') return found;
  for (const [key, child] of Object.entries(value)) {
    const where = `${at}/${key}`;
    if (key === 'schema' && child && typeof child === 'object') found.push([where, child]);
    else schemas(child, where, found);
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator does reject a broken document (a parameter "in: body", which OpenAPI 3 has not).
    const broken = structuredClone(document);
    broken.paths['/health']!.get!.parameters = [{ name: 'x', in: 'body', schema: { type: 'string' } }];
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('has schemas that are valid JSON Schema 2020-12, all inline', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    // ajv-formats is CommonJS: its function is the default export's `default`.
    const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as (
      a: Ajv2020,
    ) => void;
    addFormats(ajv);
    const components = (document.components as { schemas: Record<string, unknown> }).schemas;
    const found = [
      ...schemas(document.paths).filter(([, schema]) => !('$ref' in (schema as object))),
      ...Object.entries(components).map(([name, schema]): [string, unknown] => [
        `components/${name}`,
        schema,
      ]),
    ];
    expect(found.length).toBeGreaterThan(40);
    for (const [where, schema] of found) {
      expect(() => ajv.compile(schema as object), where).not.toThrow();
      expect(JSON.stringify(schema), where).not.toContain('#/$defs');
    }
  });

  it('covers every route of the app, and only those (the console is pages, not API)', () => {
    const routes = new Set(
      api.app.routes
        .filter((r) => r.method !== 'ALL' && r.path !== '/' && !r.path.startsWith('/console'))
        .map((r) => `${r.method} ${r.path.replace(/:([^/]+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect([...routes].sort()).toEqual([...documented].sort());
    expect(routes.size).toBeGreaterThanOrEqual(28);
  });

  it('marks the open operations and the roles of the others', () => {
    const open = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(open.sort()).toEqual([
      'GET /docs',
      'GET /health',
      'GET /healthz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /readyz',
    ]);
    expect(document.paths['/topics']?.post?.['x-bptl-role']).toBe('admin');
    expect(document.paths['/topics']?.get?.['x-bptl-role']).toBe('viewer');
    expect(Object.keys(document.paths['/topics/{engine}/{topic}']?.put?.responses as object)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '412', '413', '422']),
    );
  });

  it('is shown as a self-contained HTML page', async () => {
    const res = await api.request('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods)) {
        expect(html).toContain(
          `<span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code>`,
        );
      }
    }
    // Nothing fetched from elsewhere: no script, no external stylesheet, image or font.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\//i);
  });
});
