/**
 * The independent ledger: a loopback HTTP server that the chaos stream's work unit (the built-in
 * `http-request`) calls once per task, `POST /effects/<seq>` with the task's `Idempotency-Key`. It behaves as an
 * API that honours the header: the first request with a key applies the side effect, a repeat of the key (a
 * retried attempt) gets the first answer back and applies nothing. A request without a key always applies.
 *
 * It counts, per process instance (`seq`), the calls made and the effects applied, so the checker can tell
 * at-least-once delivery (several calls, reported) from a duplicated side effect (several effects applied for
 * one task: a retry that changed its key, or a task run twice). `?delayMs=` makes the unit slow, `?answerBytes=`
 * pads the answer with a string `pad` of that many characters (a large unit output); `hold()`
 * keeps the next call's answer back, so that a fault can be injected while the unit waits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LedgerCall {
  seq: string;
  key: string | undefined;
  at: number;
  /** True when this call applied the effect (a new key, or no key). */
  applied: boolean;
}

export interface HeldCall {
  seq: string;
  key: string | undefined;
  at: number;
  /** Sends the answer now (if the caller still listens). */
  release(): void;
}

export interface LedgerSummary {
  calls: number;
  applied: number;
  /** Process instances (`seq`) with more than one effect applied. */
  duplicatedEffects: string[];
  /** Effects applied per seq. */
  appliedBySeq: Map<string, number>;
  callsBySeq: Map<string, number>;
}

export interface Ledger {
  readonly url: string;
  readonly calls: readonly LedgerCall[];
  /** Holds the answer of the next call (after it applied its effect), until released. */
  hold(filter?: (call: { seq: string }) => boolean): Promise<HeldCall>;
  summary(seqs?: Iterable<string>): LedgerSummary;
  close(): Promise<void>;
}

interface Effect {
  id: string;
  /** Resolves when the first request with this key has been answered (its answer is then replayed). */
  done: Promise<void>;
}

export async function startLedger(): Promise<Ledger> {
  const calls: LedgerCall[] = [];
  const effects = new Map<string, Effect>();
  const holds: Array<{ filter: (call: { seq: string }) => boolean; resolve: (held: HeldCall) => void }> = [];
  let next = 0;

  const answer = (res: ServerResponse, id: string, replay: boolean, padBytes: number) => {
    if (res.destroyed || res.writableEnded) return;
    res
      .writeHead(replay ? 200 : 201, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id, replay, ...(padBytes > 0 ? { pad: 'x'.repeat(padBytes) } : {}) }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://ledger');
    const match = /^\/effects\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    for await (const _ of req); // the body is not needed
    const seq = decodeURIComponent(match[1] ?? '');
    const header = req.headers['idempotency-key'];
    const key = Array.isArray(header) ? header.join(',') : header;
    const at = Date.now();
    const padBytes = Math.max(0, Number(url.searchParams.get('answerBytes') ?? 0) || 0);
    const known = key ? effects.get(key) : undefined;
    if (known) {
      calls.push({ seq, key, at, applied: false });
      await known.done; // a concurrent repeat waits for the first, as an idempotent API does
      answer(res, known.id, true, padBytes);
      return;
    }
    let markDone!: () => void;
    const effect: Effect = { id: `effect-${++next}`, done: new Promise((r) => (markDone = r)) };
    if (key) effects.set(key, effect);
    calls.push({ seq, key, at, applied: true });
    const delayMs = Number(url.searchParams.get('delayMs') ?? 0);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const holdIndex = holds.findIndex((h) => h.filter({ seq }));
    if (holdIndex >= 0) {
      const [hold] = holds.splice(holdIndex, 1);
      await new Promise<void>((release) => hold?.resolve({ seq, key, at, release }));
    }
    markDone();
    answer(res, effect.id, false, padBytes);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    hold(filter = () => true) {
      return new Promise((resolve) => holds.push({ filter, resolve }));
    },
    summary(seqs) {
      const wanted = seqs ? new Set(seqs) : undefined;
      const appliedBySeq = new Map<string, number>();
      const callsBySeq = new Map<string, number>();
      let total = 0;
      let applied = 0;
      for (const call of calls) {
        if (wanted && !wanted.has(call.seq)) continue;
        total++;
        callsBySeq.set(call.seq, (callsBySeq.get(call.seq) ?? 0) + 1);
        if (!call.applied) continue;
        applied++;
        appliedBySeq.set(call.seq, (appliedBySeq.get(call.seq) ?? 0) + 1);
      }
      const duplicatedEffects = [...appliedBySeq].filter(([, n]) => n > 1).map(([seq]) => seq);
      return { calls: total, applied, duplicatedEffects, appliedBySeq, callsBySeq };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
