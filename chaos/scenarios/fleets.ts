/**
 * Several `bptl run` processes on the same topic — with the same worker id (replicas from one configuration) and
 * with different ones — one of them killed mid-burst and not replaced: the others must carry its tasks. And a
 * large burst with a slow unit, where the locks of thousands of waiting tasks must be kept, memory sampled
 * throughout.
 */
import type { FaultWindow, Profile, Scenario, ScenarioContext } from '../scenario.ts';

async function killOneMidBurst(ctx: ScenarioContext, index: number): Promise<FaultWindow> {
  await ctx.stream.created(Math.ceil(ctx.plan.tasks / 3));
  const member = ctx.fleet.members[index];
  if (!member) throw new Error(`no bptl run number ${index + 1}`);
  const { sentAt, goneAt } = await ctx.fleet.kill(member);
  const others = ctx.fleet.members.filter((m) => m !== member).map((m) => m.process.pid);
  return {
    at: sentAt,
    endAt: sentAt,
    evidence: `bptl run ${index + 1} of ${ctx.fleet.members.length} (pid ${member.process.pid}, worker id ${member.workerId}) gone ${goneAt - sentAt} ms after SIGKILL, not replaced; pids ${others.join(', ')} carried on`,
  };
}

const burst = (profile: Profile, full: number, short: number) =>
  profile === 'full' ? { tasks: full, ratePerSec: 40 } : { tasks: short, ratePerSec: 15 };

export const fleetScenarios: Scenario[] = [
  {
    name: 'two-runs-same-id',
    title: 'two bptl run, the same worker id, one killed mid-burst',
    profiles: ['short', 'full'],
    plan: (p) => ({ ...burst(p, 600, 60), unitDelayMs: 300, workerIds: ['chaos-replica', 'chaos-replica'] }),
    inject: (ctx) => killOneMidBurst(ctx, 0),
  },
  {
    name: 'three-runs',
    title: 'three bptl run, different worker ids, one killed mid-burst',
    profiles: ['full'],
    plan: (p) => ({ ...burst(p, 600, 60), unitDelayMs: 300, workerIds: ['chaos-a', 'chaos-b', 'chaos-c'] }),
    inject: (ctx) => killOneMidBurst(ctx, 1),
  },
  {
    name: 'burst-slow-unit',
    title: 'a burst of tasks with a slow unit (2 s), 500 in flight: locks kept under load',
    profiles: ['full'],
    plan: (p) => ({
      ...(p === 'full' ? { tasks: 10_000, ratePerSec: 500 } : { tasks: 300, ratePerSec: 100 }),
      unitDelayMs: 2_000,
      // Up to 500 tasks locked and in work at once, 100 per fetch: hundreds of locks kept alive together.
      env: { BPTL_MAX_IN_FLIGHT: '500', BPTL_MAX_TASKS: '100' },
      settleMs: 1_800_000,
    }),
    async inject(ctx) {
      // No fault but the load itself: the window is the burst's creation; recovery is the drain after it.
      const at = Date.now();
      await ctx.stream.done;
      return {
        at,
        endAt: Date.now(),
        evidence: `${ctx.stream.instances.size} tasks created in ${((Date.now() - at) / 1000).toFixed(1)} s`,
      };
    },
  },
];
