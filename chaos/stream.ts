/**
 * A steady stream of external tasks: process instances started at a fixed rate, each with the variables that
 * make the built-in `http-request` unit call the ledger once (`POST <ledger>/effects/<seq>`). Each instance has a
 * unique business key (`<topic>-<seq>`), so that a start whose answer was lost (Camunda killed mid-call) is found
 * again instead of started twice: the stream never creates a task twice, and never gives one up.
 */
import { CamundaClient } from '../src/engine/camunda-client.ts';
import { EngineError } from '../src/engine/engine-error.ts';
import { type CamundaVariables, encodeVariables } from '../src/engine/variables.ts';

export interface StreamInstance {
  seq: string;
  businessKey: string;
  processInstanceId: string;
  createdAt: number;
}

export interface TaskStream {
  readonly instances: ReadonlyMap<string, StreamInstance>;
  /** Resolves once `n` instances exist (at once when n ≤ created). */
  created(n: number): Promise<void>;
  /** Resolves once every instance is started. */
  readonly done: Promise<void>;
  stop(): void;
}

/** The variables of one task: the ledger call, and whatever the scenario adds. */
export function ledgerVariables(
  ledgerUrl: string,
  seq: string,
  options: {
    delayMs?: number | undefined;
    /** The ledger pads its answer with this many characters, and the unit outputs them as `chaosPad`. */
    answerBytes?: number | undefined;
    extra?: Record<string, unknown> | undefined;
  },
): Record<string, unknown> {
  const params = new URLSearchParams();
  if (options.delayMs) params.set('delayMs', String(options.delayMs));
  if (options.answerBytes) params.set('answerBytes', String(options.answerBytes));
  const query = params.size > 0 ? `?${params}` : '';
  return {
    chaosSeq: seq,
    httpMethod: 'POST',
    httpUrl: `${ledgerUrl}/effects/{{chaosSeq}}${query}`,
    httpBody: { seq: '{{chaosSeq}}' },
    httpOutput: options.answerBytes ? { effectId: 'id', chaosPad: 'pad' } : { effectId: 'id' },
    ...options.extra,
  };
}

function transient(error: unknown): boolean {
  return error instanceof EngineError && (error.status === undefined || error.status >= 500);
}

export function startStream(options: {
  camundaUrl: string;
  processKey: string;
  tasks: number;
  ratePerSec: number;
  variables: (seq: string) => Record<string, unknown>;
  /** Wire variables added after encoding, as they are. */
  rawVariables?: (seq: string) => CamundaVariables | undefined;
  /** Give up on the engine (it stays down) after this long without a successful start. @default 300000 */
  patienceMs?: number;
}): TaskStream {
  const camunda = new CamundaClient({ baseUrl: options.camundaUrl, timeoutMs: 30_000 });
  const instances = new Map<string, StreamInstance>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let stopped = false;
  const patienceMs = options.patienceMs ?? 300_000;

  const startOne = async (seq: string): Promise<void> => {
    const businessKey = `${options.processKey}-${seq}`;
    const variables = { ...encodeVariables(options.variables(seq)), ...options.rawVariables?.(seq) };
    let lastSuccess = Date.now();
    for (;;) {
      try {
        const { id } = await camunda.startProcess(options.processKey, { variables, businessKey });
        instances.set(seq, { seq, businessKey, processInstanceId: id, createdAt: Date.now() });
        return;
      } catch (error) {
        if (!transient(error) || Date.now() - lastSuccess > patienceMs) throw error;
      }
      // No answer: the start may have happened. The history says (the instance may have ended already).
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        try {
          const found = await camunda.get<Array<{ id: string; startTime: string }>>(
            '/history/process-instance',
            {
              processInstanceBusinessKey: businessKey,
            },
          );
          if (found[0]) {
            instances.set(seq, { seq, businessKey, processInstanceId: found[0].id, createdAt: Date.now() });
            return;
          }
          lastSuccess = Date.now();
          break; // not started: start it
        } catch (error) {
          if (!transient(error) || Date.now() - lastSuccess > patienceMs) throw error;
        }
      }
    }
  };

  const notify = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w && instances.size >= w.n) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };

  const intervalMs = 1000 / options.ratePerSec;
  const done = (async () => {
    const began = Date.now();
    const pending = new Set<Promise<void>>();
    for (let i = 0; i < options.tasks && !stopped; i++) {
      const due = began + i * intervalMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const p = startOne(String(i)).then(notify);
      pending.add(p);
      void p.finally(() => pending.delete(p)).catch(() => {});
      // Never more than 32 starts in flight (an engine that hangs must not get thousands of calls at once).
      while (pending.size >= 32) await Promise.race(pending);
    }
    await Promise.all(pending);
  })();
  done.catch(() => {});

  return {
    instances,
    created(n) {
      if (instances.size >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    done,
    stop() {
      stopped = true;
    },
  };
}
