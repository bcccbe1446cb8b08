/**
 * The API under the property-based fuzzer (chaos/api-fuzz.ts, schemathesis driven by /openapi.json), with a small
 * budget against the test suite's Temporal: no 5xx, no answer that the document does not describe. And the
 * checker itself, against a small loopback server that answers a 500 and a body its own document does not
 * allow: both must be counted, or a clean run of the API would prove nothing.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { EXCLUDED_OPERATIONS, fuzzApi } from '../../chaos/api-fuzz.ts';
import { runSchemathesis } from '../../chaos/api-fuzz-schemathesis.ts';
import { apiOperations } from '../../src/api/app.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { ConfigStore } from '../../src/store/config-store.ts';
import { createRegistry } from '../../src/work-units/registry.ts';
import { root } from '../support/paths.ts';

const log = createLogger('test.api-fuzz', { level: (process.env.LOG_LEVEL as 'info') ?? 'warn' });
/** A fresh folder for the fuzzer's output, removed when the test that asked for it is done. */
async function outDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `bptl-${name}-`));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('the API under schemathesis', () => {
  it('answers no 5xx and nothing the document does not describe', { timeout: 120_000 }, async () => {
    const result = await fuzzApi({
      root,
      outDir: await outDir('api-fuzz'),
      temporalAddress: inject('temporalAddress'),
      log,
      maxExamples: 5,
    });
    // Schemathesis does not call the document's own operation (it loads it), and the fuzzer leaves out the
    // ones in EXCLUDED_OPERATIONS; every other operation of the document is exercised.
    const documented = apiOperations({ registry: createRegistry([]), store: {} as ConfigStore, tokens: [] });
    const expected = documented.filter(
      (op) => op.operationId !== 'openApiDocument' && !(op.operationId in EXCLUDED_OPERATIONS),
    );
    expect({
      serverErrors: result.serverErrors,
      mismatches: result.mismatches,
      errors: result.errors,
      failures: result.failures,
    }).toEqual({ serverErrors: 0, mismatches: 0, errors: 0, failures: [] });
    expect(result.operations).toBe(expected.length);
    expect(result.calls).toBeGreaterThan(expected.length * 5);
    expect(result.schemathesisVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

/** A server with its own small document: `/broken` answers 500, `/wrong` a body its schema forbids. */
function misbehavingServer(): Promise<Server> {
  const document = {
    openapi: '3.1.0',
    info: { title: 'misbehaving', version: '1' },
    paths: {
      '/broken': {
        get: {
          operationId: 'broken',
          responses: {
            200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
      '/wrong': {
        get: {
          operationId: 'wrong',
          responses: {
            200: {
              description: 'an item',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['id'],
                    properties: { id: { type: 'integer' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/openapi.json') return send(200, document);
    if (url.pathname === '/broken') return send(500, { error: 'boom' });
    if (url.pathname === '/wrong') return send(200, { id: 'not a number' });
    return send(404, {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the fuzzer', () => {
  it('counts a 500 and a body that does not match its document', { timeout: 60_000 }, async () => {
    const server = await misbehavingServer();
    try {
      const { port } = server.address() as AddressInfo;
      const run = await runSchemathesis({
        root,
        schemaUrl: `http://127.0.0.1:${port}/openapi.json`,
        outDir: await outDir('api-fuzz-checker'),
        log,
        maxExamples: 2,
      });
      expect(run.exitCode).toBe(1);
      expect(run.serverErrors).toBeGreaterThanOrEqual(1);
      expect(run.mismatches).toBeGreaterThanOrEqual(1);
      expect(run.operations).toEqual(['GET /broken', 'GET /wrong']);
      expect(run.failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ operation: 'GET /broken', check: 'not_a_server_error', status: 500 }),
          expect.objectContaining({
            operation: 'GET /wrong',
            check: 'response_schema_conformance',
            status: 200,
          }),
        ]),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
