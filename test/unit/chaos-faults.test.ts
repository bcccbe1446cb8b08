/**
 * The chaos run's fault injectors, each on its own against a small loopback upstream: that the HTTP proxy
 * forwards faithfully, holds and drops what it is told and blackholes everything; that the TCP proxy's
 * blackhole really blocks; that a kill really killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpProxy, startHttpProxy } from '../../chaos/faults/http-proxy.ts';
import { isGone, killProcess, pidsListeningOn } from '../../chaos/faults/kill.ts';
import { startTcpProxy, type TcpProxy } from '../../chaos/faults/tcp-proxy.ts';

/** How long a test waits to see that something does NOT happen. */
const quietMs = 500;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Polls `condition` until it holds (every 10 ms, up to 10 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** One request on its own connection (no agent, no retry); rejects on an error or after timeoutMs. */
function send(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
    });
    request.setTimeout(options.timeoutMs ?? 10_000, () =>
      request.destroy(new Error(`client time-out after ${options.timeoutMs ?? 10_000} ms`)),
    );
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.end(options.body);
  });
}

/** Settles to 'pending' if `promise` has not settled within ms. */
async function stateAfter(promise: Promise<unknown>, ms: number): Promise<'pending' | 'settled'> {
  const result = await Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    sleep(ms, 'pending' as const),
  ]);
  return result;
}

function listen(server: http.Server | net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe('HTTP proxy', () => {
  const log: Seen[] = [];
  /** Answers to /slow/… requests, released by the test. */
  const slow: (() => void)[] = [];
  const upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      log.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = () => {
        res.writeHead(201, {
          'content-type': 'application/json',
          'x-upstream': 'yes',
          connection: 'keep-alive',
        });
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      };
      if (req.url?.startsWith('/slow/')) slow.push(answer);
      else answer();
    });
  });
  let proxy: HttpProxy;
  const seen = (url: string) => log.filter((entry) => entry.url === url).length;

  beforeAll(async () => {
    const port = await listen(upstream);
    proxy = await startHttpProxy({ target: `http://127.0.0.1:${port}` });
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('forwards method, path, query, body and headers, and the answer’s status, headers and body', async () => {
    const id = 'a1b2c3d4-0000-4000-8000-0123456789ab';
    const reply = await send(`${proxy.url}/engine-rest/external-task/${id}/complete?x=1&y=two`, {
      method: 'POST',
      body: '{"workerId":"w"}',
      headers: {
        'content-type': 'application/json',
        'x-test': 'kept',
        connection: 'close, x-hop',
        'x-hop': '1',
      },
    });
    const entry = log.find((e) => e.url === `/engine-rest/external-task/${id}/complete?x=1&y=two`);
    expect(entry).toMatchObject({ method: 'POST', body: '{"workerId":"w"}' });
    expect(entry?.headers).toMatchObject({ 'content-type': 'application/json', 'x-test': 'kept' });
    expect(entry?.headers['x-hop']).toBeUndefined();
    expect(reply.status).toBe(201);
    expect(reply.headers).toMatchObject({ 'content-type': 'application/json', 'x-upstream': 'yes' });
    expect(JSON.parse(reply.body)).toEqual({
      method: 'POST',
      url: `/engine-rest/external-task/${id}/complete?x=1&y=two`,
      body: '{"workerId":"w"}',
    });
  });

  it('counts requests by method and path, ids replaced', async () => {
    await send(`${proxy.url}/count/external-task/0f7a1e52-1c1d-11ef-9a3b-0242ac120002/unlock`, {
      method: 'POST',
    });
    await send(`${proxy.url}/count/external-task/5c2b9d10-1c1d-11ef-9a3b-0242ac120002/unlock?q=1`, {
      method: 'POST',
    });
    await send(`${proxy.url}/count/external-task/fetchAndLock`, { method: 'POST' });
    expect(proxy.counts()).toMatchObject({
      'POST /count/external-task/:id/unlock': 2,
      'POST /count/external-task/fetchAndLock': 1,
    });
  });

  it('holds a request before the upstream sees it, and forwards it on release', async () => {
    const held = proxy.hold({ method: 'POST', path: /\/hold-request$/, phase: 'request' });
    const reply = send(`${proxy.url}/engine-rest/hold-request?a=1`, { method: 'POST', body: 'payload' });
    const exchange = await held;
    expect(exchange).toMatchObject({
      method: 'POST',
      path: '/engine-rest/hold-request?a=1',
      requestBody: 'payload',
    });
    expect(exchange.status).toBeUndefined();
    expect(await stateAfter(reply, quietMs)).toBe('pending');
    expect(seen('/engine-rest/hold-request?a=1')).toBe(0);
    exchange.release();
    expect((await reply).status).toBe(201);
    expect(seen('/engine-rest/hold-request?a=1')).toBe(1);
  });

  it('drops a held request: the client gets an error and the upstream never sees it', async () => {
    const held = proxy.hold({ path: /\/drop-request$/, phase: 'request' });
    const reply = send(`${proxy.url}/drop-request`, { method: 'POST', body: 'x' });
    (await held).drop();
    await expect(reply).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(seen('/drop-request')).toBe(0);
  });

  it('holds an answer after the upstream did the work, delivers it on release', async () => {
    const held = proxy.hold({ method: 'post', path: /\/hold-response$/, phase: 'response' });
    const reply = send(`${proxy.url}/hold-response`, { method: 'POST', body: 'done?' });
    const exchange = await held;
    expect(seen('/hold-response')).toBe(1);
    expect(exchange).toMatchObject({ method: 'POST', requestBody: 'done?', status: 201 });
    expect(JSON.parse(exchange.responseBody ?? '')).toMatchObject({ body: 'done?' });
    expect(await stateAfter(reply, quietMs)).toBe('pending');
    exchange.release();
    const answer = await reply;
    expect(answer.status).toBe(201);
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(answer.body).toBe(exchange.responseBody);
  });

  it('drops a held answer: the upstream did it, the client gets an error', async () => {
    const held = proxy.hold({ path: /\/drop-response$/, phase: 'response' });
    const reply = send(`${proxy.url}/drop-response`, { method: 'POST' });
    (await held).drop();
    await expect(reply).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(seen('/drop-response')).toBe(1);
  });

  it('blackholes: no answer, the upstream never sees it; after restore a new request passes', async () => {
    proxy.blackhole();
    expect(proxy.blackholed).toBe(true);
    await expect(send(`${proxy.url}/blackholed`, { timeoutMs: quietMs })).rejects.toThrow(/client time-out/);
    expect(seen('/blackholed')).toBe(0);
    proxy.restore();
    expect(proxy.blackholed).toBe(false);
    expect((await send(`${proxy.url}/after-blackhole`)).status).toBe(201);
    expect(seen('/after-blackhole')).toBe(1);
  });

  it('delivers a request sent during a blackhole after restore, to a client that still waits', async () => {
    proxy.blackhole();
    const reply = send(`${proxy.url}/waits`, { method: 'POST', body: 'late' });
    await until(() => proxy.counts()['POST /waits'] === 1, 'the proxy has the request');
    expect(await stateAfter(reply, quietMs)).toBe('pending');
    expect(seen('/waits')).toBe(0);
    proxy.restore();
    expect(JSON.parse((await reply).body)).toMatchObject({ body: 'late' });
    expect(seen('/waits')).toBe(1);
  });

  it('blackholes an answer in flight until restore', async () => {
    const reply = send(`${proxy.url}/slow/in-flight`);
    await until(() => slow.length === 1, 'the upstream has the request');
    proxy.blackhole();
    slow.shift()?.();
    expect(await stateAfter(reply, quietMs)).toBe('pending');
    proxy.restore();
    expect((await reply).status).toBe(201);
  });

  it('survives clients that hang up while held, blackholed or streaming', async () => {
    const held = proxy.hold({ path: /\/hang-up-held$/, phase: 'response' });
    const client = http.request(`${proxy.url}/hang-up-held`, { method: 'POST', agent: false });
    client.on('error', () => {});
    client.end('x');
    const exchange = await held;
    const closed = new Promise((resolve) => client.once('close', resolve)); // not once(): it rejects on 'error'
    client.destroy();
    await closed;
    exchange.release();
    proxy.blackhole();
    await expect(send(`${proxy.url}/hang-up-blackholed`, { timeoutMs: 200 })).rejects.toThrow(/time-out/);
    proxy.restore();
    const streaming = http.request(`${proxy.url}/slow/hang-up`, { method: 'POST', agent: false });
    streaming.on('error', () => {});
    streaming.write('half a body');
    await until(() => proxy.counts()['POST /slow/hang-up'] === 1, 'the proxy has the request');
    streaming.destroy();
    expect((await send(`${proxy.url}/still-alive`)).status).toBe(201);
  });

  it('answers 502 when the upstream is down', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const orphan = await startHttpProxy({ target: `http://127.0.0.1:${port}` });
    try {
      const reply = await send(`${orphan.url}/engine-rest/version`);
      expect(reply.status).toBe(502);
      expect(reply.body).toMatch(/Bad gateway.*ECONNREFUSED/);
      expect(orphan.counts()).toEqual({ 'GET /engine-rest/version': 1 });
    } finally {
      await orphan.close();
    }
  });

  it('rejects a pending hold when closed', async () => {
    const other = await startHttpProxy({ target: proxy.url });
    const held = other.hold({ path: /never/, phase: 'request' });
    await other.close();
    await expect(held).rejects.toThrow(/closed/);
  });
});

describe('TCP proxy', () => {
  let received = 0;
  let accepted = 0;
  const echo = net.createServer((socket) => {
    accepted++;
    socket.on('data', (chunk) => {
      received += chunk.length;
      socket.write(chunk);
    });
    socket.on('error', () => {});
  });
  let proxy: TcpProxy;

  beforeAll(async () => {
    const port = await listen(echo);
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port } });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  /** A connection through the proxy, and everything it has received so far. */
  async function connect(): Promise<{ socket: net.Socket; text: () => string }> {
    const socket = net.connect(proxy.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    await once(socket, 'connect');
    return { socket, text: () => text };
  }

  it('echoes through; blackholed, nothing passes either way and new connections go nowhere; restored, all flows', async () => {
    const first = await connect();
    first.socket.write('ping');
    await until(() => first.text() === 'ping', 'the echo arrives');
    expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);
    expect(proxy.connections()).toBe(1);

    proxy.blackhole();
    expect(proxy.blackholed).toBe(true);
    first.socket.write('two');
    const second = await connect(); // accepted by the proxy, not connected onward
    second.socket.write('new');
    await sleep(quietMs);
    expect(first.text()).toBe('ping');
    expect(second.text()).toBe('');
    expect(received).toBe(4);
    expect(accepted).toBe(1);
    expect(proxy.connections()).toBe(2);

    proxy.restore();
    await until(() => first.text() === 'pingtwo' && second.text() === 'new', 'both echoes arrive');
    expect(accepted).toBe(2);
    first.socket.destroy();
    second.socket.destroy();
    await until(() => proxy.connections() === 0, 'the proxy sees both hang up');
  });

  it('closes the client when the target is down', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const orphan = await startTcpProxy({ target: { host: '127.0.0.1', port } });
    try {
      const socket = net.connect(orphan.port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'close');
      expect(orphan.connections()).toBe(0);
    } finally {
      await orphan.close();
    }
  });
});

describe('kill', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  function start(command: string, args: string[]): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    return child;
  }

  it('kills a process and resolves once it is gone', async () => {
    const child = start('sleep', ['60']);
    await once(child, 'spawn');
    const exited = once(child, 'exit');
    const pid = child.pid!;
    const { sentAt, goneAt } = await killProcess(pid);
    expect(goneAt).toBeGreaterThanOrEqual(sentAt);
    expect(isGone(pid)).toBe(true); // reaped already (kill(pid, 0) fails), or a zombie
    expect(await exited).toEqual([null, 'SIGKILL']);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('rejects, naming the pid, when the process outlives the signal', async () => {
    const child = start(process.execPath, [
      '-e',
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    ]);
    await once(child.stdout!, 'data'); // its SIGTERM handler is in place
    const pid = child.pid!;
    await expect(killProcess(pid, { signal: 'SIGTERM', timeoutMs: 500 })).rejects.toThrow(
      new RegExp(`process ${pid} was still alive 500 ms after SIGTERM`),
    );
    expect(isGone(pid)).toBe(false);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  });

  it('rejects at once when there is no such process', async () => {
    const child = start('true', []);
    await once(child, 'exit');
    await expect(killProcess(child.pid!)).rejects.toThrow(
      new RegExp(`process ${child.pid}: no such process`),
    );
  });

  it('finds the pid listening on a port', async () => {
    const server = net.createServer();
    const port = await listen(server);
    try {
      expect(pidsListeningOn(port)).toEqual([process.pid]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(pidsListeningOn(port)).toEqual([]);
  });
});
