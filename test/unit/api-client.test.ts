/**
 * The CLI's API client reads a list page by page, following the Link header's rel="next" until there is none,
 * behind a proxy's path prefix too, and never to another origin (it would take the bearer token along).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, nextLink } from '../../src/cli/api-client.ts';

let server: Server;
let origin: string;
const seen: Array<{ url: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  // A proxy at /bptl in front of the API: the API links by its own absolute path (`/items?…`).
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
    const pages: Record<string, { body: number[]; link?: string }> = {
      none: { body: [1, 2], link: '</items?after=2&limit=2>; rel="next"' },
      '2': { body: [3, 4], link: '<https://elsewhere.example.org/items?after=4&limit=2>; rel="next"' },
      '4': { body: [5] },
    };
    const page = pages[after ?? 'none'] ?? { body: [] };
    res.writeHead(200, { 'content-type': 'application/json', ...(page.link ? { link: page.link } : {}) });
    res.end(JSON.stringify(page.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ApiClient.list', () => {
  it('follows every page, under the base URL, with its token, and never to another origin', async () => {
    const api = new ApiClient({ baseUrl: `${origin}/bptl/`, token: 'secret-token' });
    expect(await api.list<number>('/items')).toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual([
      { url: '/bptl/items', authorization: 'Bearer secret-token' },
      { url: '/bptl/items?after=2&limit=2', authorization: 'Bearer secret-token' },
      { url: '/bptl/items?after=4&limit=2', authorization: 'Bearer secret-token' },
    ]);
  });
});

describe('nextLink', () => {
  it.each([
    ['</a?after=x>; rel="next"', '/a?after=x'],
    ['</first>; rel="first", </b?after=y&limit=2>; rel=next', '/b?after=y&limit=2'],
    ['</c>; rel="prev"', undefined],
    [null, undefined],
  ])('reads %s as %s', (header, target) => {
    expect(nextLink(header)).toBe(target);
  });
});
