/**
 * SIGKILL of `bptl run` at each point of a task's way, and a replacement started with the same worker id (as a
 * supervisor restarts a crashed process). The point is caught exactly, not guessed by timing: the Camunda proxy
 * holds the exchange that marks it (a fetch-and-lock answer with tasks, a completion, a lock extension) or the
 * ledger holds the unit's call, and the process is killed while it is held.
 */
import type { HeldExchange, HoldRule } from '../faults/http-proxy.ts';
import type { FaultWindow, Profile, Scenario, ScenarioContext, StreamPlan } from '../scenario.ts';

export function streamOf(profile: Profile, extra: Partial<StreamPlan> = {}): StreamPlan {
  return profile === 'short'
    ? { tasks: 24, ratePerSec: 4, unitDelayMs: 300, ...extra }
    : { tasks: 150, ratePerSec: 8, unitDelayMs: 300, ...extra };
}

/** Kills the first `bptl run`, verifies it is gone, and starts its replacement. */
export async function killAndReplace(ctx: ScenarioContext, what: string): Promise<FaultWindow> {
  const member = ctx.fleet.members[0];
  if (!member) throw new Error('no bptl run to kill');
  const { sentAt, goneAt } = await ctx.fleet.kill(member);
  ctx.restart(member.workerId);
  return {
    at: sentAt,
    endAt: sentAt,
    evidence: `${what}; pid ${member.process.pid} gone ${goneAt - sentAt} ms after SIGKILL`,
  };
}

/** Holds the first exchange matching `rule` whose answer passes `wanted` (others are let through). */
async function holdWanted(
  ctx: ScenarioContext,
  rule: HoldRule,
  wanted: (held: HeldExchange) => boolean = () => true,
): Promise<HeldExchange> {
  for (;;) {
    const held = await ctx.servers.camundaProxy.hold(rule);
    if (wanted(held)) return held;
    held.release();
  }
}

/**
 * Mid-stream, holds the first engine exchange matching `rule` (whose answer passes `wanted`), kills `bptl run`
 * while it is held, and drops the exchange: the dead process never hears of it.
 */
async function killHolding(
  ctx: ScenarioContext,
  rule: HoldRule,
  what: (held: HeldExchange) => string,
  wanted?: (held: HeldExchange) => boolean,
): Promise<FaultWindow> {
  await midStream(ctx);
  const held = await holdWanted(ctx, rule, wanted);
  const window = await killAndReplace(ctx, what(held));
  held.drop();
  return window;
}

const COMPLETE = /\/external-task\/[^/]+\/complete$/;

/** Waits until a third of the stream is created, so that the fault hits a stream in full flow. */
async function midStream(ctx: ScenarioContext): Promise<void> {
  await ctx.stream.created(Math.ceil(ctx.plan.tasks / 3));
}

function lockedTasks(body: string | undefined): number {
  try {
    const parsed = JSON.parse(body ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.length : 0;
  } catch {
    return 0;
  }
}

const both: readonly Profile[] = ['short', 'full'];

export const killBptlScenarios: Scenario[] = [
  {
    name: 'kill-after-fetch',
    title: 'SIGKILL of bptl run after fetch-and-lock, before the workflows start',
    profiles: ['full'],
    plan: (p) => streamOf(p),
    inject: (ctx) =>
      killHolding(
        ctx,
        { method: 'POST', path: /\/external-task\/fetchAndLock$/, phase: 'response' },
        (held) => `killed holding a fetch-and-lock answer of ${lockedTasks(held.responseBody)} locked tasks`,
        (held) => lockedTasks(held.responseBody) > 0,
      ),
  },
  {
    name: 'kill-during-unit',
    title: 'SIGKILL of bptl run while the work unit runs',
    profiles: both,
    plan: (p) => streamOf(p),
    async inject(ctx) {
      await midStream(ctx);
      const held = await ctx.ledger.hold();
      const window = await killAndReplace(ctx, `killed while the ledger held task ${held.seq}'s call`);
      held.release();
      return window;
    },
  },
  {
    name: 'kill-before-complete',
    title: "SIGKILL of bptl run between the unit's end and complete",
    profiles: ['full'],
    plan: (p) => streamOf(p),
    inject: (ctx) =>
      killHolding(
        ctx,
        { method: 'POST', path: COMPLETE, phase: 'request' },
        () => 'killed with a completion sent but not yet at the engine',
      ),
  },
  {
    name: 'kill-during-complete',
    title: 'SIGKILL of bptl run during complete (the engine completed, the answer lost)',
    profiles: both,
    plan: (p) => streamOf(p),
    inject: (ctx) =>
      killHolding(
        ctx,
        { method: 'POST', path: COMPLETE, phase: 'response' },
        (held) => `killed with the engine's answer ${held.status ?? '?'} to a completion held back`,
      ),
  },
  {
    name: 'kill-during-lock-renewal',
    title: 'SIGKILL of bptl run during a lock renewal',
    profiles: ['full'],
    // A unit (8 s) longer than half the lock (10 s): the lock is renewed while it runs.
    plan: (p) =>
      streamOf(p, {
        unitDelayMs: 8_000,
        ...(p === 'short' ? { tasks: 12, ratePerSec: 2 } : { tasks: 60, ratePerSec: 4 }),
        topic: { lockDurationMs: 10_000 },
      }),
    inject: (ctx) =>
      killHolding(
        ctx,
        { method: 'POST', path: /\/external-task\/[^/]+\/extendLock$/, phase: 'request' },
        () => 'killed with a lock extension sent but not yet at the engine',
      ),
  },
];
