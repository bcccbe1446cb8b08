/**
 * The servers fail under a running stream: Temporal's dev server (SQLite file) and Camunda (H2 file) killed
 * with SIGKILL and started again on the same files; each made unreachable for a while by blackholing the proxy
 * BPTL reaches it through (no byte passes either way; BPTL only sees its own time-outs).
 */
import { parseCamundaDate } from '../../src/engine/variables.ts';
import type { FaultWindow, Profile, Scenario, ScenarioContext } from '../scenario.ts';
import { streamOf } from './kill-bptl.ts';

const both: readonly Profile[] = ['short', 'full'];

async function midStream(ctx: ScenarioContext): Promise<void> {
  await ctx.stream.created(Math.ceil(ctx.plan.tasks / 3));
}

async function killAndRestart(ctx: ScenarioContext, which: 'temporal' | 'camunda'): Promise<FaultWindow> {
  await midStream(ctx);
  const server = ctx.servers[which];
  const { pid, sentAt, goneAt } = await server.kill();
  const startupMs = await server.start();
  const file = which === 'temporal' ? 'SQLite' : 'H2';
  return {
    at: sentAt,
    endAt: Date.now(),
    evidence: `${server.name} pid ${pid} gone ${goneAt - sentAt} ms after SIGKILL; started again on its ${file} file in ${(startupMs / 1000).toFixed(1)} s (pid ${server.pid})`,
  };
}

/** Success entries the engine recorded for the topic between two instants. */
async function completionsBetween(ctx: ScenarioContext, from: number, to: number): Promise<number> {
  const entries = await ctx.camunda.get<Array<{ timestamp: string }>>('/history/external-task-log', {
    topicName: ctx.topic,
    successLog: true,
    maxResults: 10_000,
  });
  return entries.filter((e) => {
    const t = parseCamundaDate(e.timestamp).getTime();
    return t >= from && t <= to;
  }).length;
}

const outageMs = (profile: Profile) => (profile === 'full' ? 60_000 : 15_000);

/** A 2 s unit: tasks are in flight (completions, lock renewals on their way) when the outage begins. */
const outageStream = (p: Profile) =>
  streamOf(p, {
    unitDelayMs: 2_000,
    ...(p === 'full' ? { tasks: 300, ratePerSec: 4 } : { tasks: 40, ratePerSec: 2 }),
  });

/**
 * Mid-stream, blackholes `proxy` for the profile's outage, then restores it; checks that no task completed
 * from `graceMs` in to the end (the blackhole really blocked), and says what it held.
 */
async function outage(
  ctx: ScenarioContext,
  proxy: { blackhole(): void; restore(): void },
  graceMs: number,
  /** Called as the outage begins; what it returns is called as it ends, and says what was held. */
  watch: () => () => string,
): Promise<FaultWindow> {
  await midStream(ctx);
  const held = watch();
  const at = Date.now();
  proxy.blackhole();
  await new Promise((resolve) => setTimeout(resolve, outageMs(ctx.profile)));
  const what = held();
  proxy.restore();
  const endAt = Date.now();
  const completed = await completionsBetween(ctx, at + graceMs, endAt);
  if (completed > 0) throw new Error(`${completed} tasks completed through the blackhole`);
  return {
    at,
    endAt,
    evidence: `blackholed ${((endAt - at) / 1000).toFixed(1)} s: ${what}; no task completed from ${graceMs / 1000} s in to the end`,
  };
}

/** Requests the Camunda proxy has seen so far. */
const requestsSeen = (ctx: ScenarioContext) =>
  Object.values(ctx.servers.camundaProxy.counts()).reduce((a, b) => a + b, 0);

export const serverScenarios: Scenario[] = [
  {
    name: 'temporal-killed',
    title: 'SIGKILL of the Temporal server (SQLite file), restarted',
    profiles: both,
    plan: (p) => streamOf(p),
    inject: (ctx) => killAndRestart(ctx, 'temporal'),
  },
  {
    name: 'camunda-killed',
    title: 'SIGKILL of Camunda (H2 file), restarted',
    profiles: ['full'],
    plan: (p) => streamOf(p),
    inject: (ctx) => killAndRestart(ctx, 'camunda'),
  },
  {
    name: 'camunda-unreachable',
    title: 'Camunda unreachable (blackholed) while tasks run',
    profiles: both,
    plan: outageStream,
    // Nothing reaches the engine: not even a completion sent as the outage began.
    inject: (ctx) =>
      outage(ctx, ctx.servers.camundaProxy, 1_000, () => {
        const before = requestsSeen(ctx);
        return () => `${requestsSeen(ctx) - before} requests held`;
      }),
  },
  {
    name: 'temporal-unreachable',
    title: 'Temporal unreachable (blackholed) while tasks run',
    profiles: ['full'],
    plan: outageStream,
    // A workflow task already running may finish its engine call in the first seconds; none after.
    inject: (ctx) =>
      outage(
        ctx,
        ctx.servers.temporalProxy,
        5_000,
        () => () => `${ctx.servers.temporalProxy.connections()} connections held`,
      ),
  },
];
