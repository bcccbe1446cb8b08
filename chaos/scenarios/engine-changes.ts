/**
 * The engine changes under BPTL's feet while a task runs, and what a process model or a variable can do to it:
 * an instance deleted, cancelled or moved by modification while its unit runs, an interrupting timer that fires
 * mid-task, a completion the engine refuses (its next step fails), a variable BPTL cannot decode, and a payload
 * over Temporal's limit. A removed task must end with its workflow closed (fate `gone`); a task that cannot go on
 * must end in an incident that says why; nothing loops.
 */
import type { CamundaVariable } from '../../src/engine/variables.ts';
import type { InstanceVerdict, Verdict } from '../check.ts';
import type { LedgerCall } from '../ledger.ts';
import type { FaultWindow, Profile, Scenario, ScenarioContext } from '../scenario.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a slow unit runs in the scenarios that change the engine while it runs. */
const SLOW_UNIT_MS = 8_000;

/** Polls `probe` every 500 ms until it returns a value, or throws after `timeoutMs` naming `what`. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(500);
  }
}

/**
 * Tasks whose unit runs now: the ledger has their call, and its answer is due in at least `leftMs` (so the
 * change lands while the unit really runs). The first `n` not yet taken, by the time of their call.
 */
function runningNow(ctx: ScenarioContext, taken: Set<string>, n: number, leftMs: number): LedgerCall[] {
  const now = Date.now();
  const seen = new Set<string>();
  return ctx.ledger.calls
    .filter((c) => {
      if (!c.applied || taken.has(c.seq) || seen.has(c.seq) || !ctx.stream.instances.has(c.seq)) return false;
      seen.add(c.seq);
      return c.at + SLOW_UNIT_MS - now >= leftMs;
    })
    .slice(0, n);
}

/**
 * Applies `change` to `count` instances whose unit runs (ledger calls seen), marking each removed. Returns the
 * window from the first change to the last, and the evidence.
 */
async function changeWhileRunning(
  ctx: ScenarioContext,
  count: number,
  what: string,
  change: (processInstanceId: string) => Promise<void>,
  /** Evidence beyond the ledger's: what the engine shows of the changed instances. */
  confirm?: (processInstanceIds: string[]) => Promise<string>,
): Promise<FaultWindow> {
  await ctx.stream.created(Math.ceil(ctx.plan.tasks / 4));
  const taken = new Set<string>();
  let at = 0;
  const deadline = Date.now() + 120_000;
  while (taken.size < count) {
    if (Date.now() > deadline) break;
    for (const call of runningNow(ctx, taken, count - taken.size, 2_000)) {
      const instance = ctx.stream.instances.get(call.seq);
      if (!instance) continue;
      await change(instance.processInstanceId);
      ctx.removed(call.seq);
      taken.add(call.seq);
      at ||= Date.now();
    }
    await sleep(200);
  }
  if (taken.size === 0) throw new Error(`no instance ${what}: no unit seen running`);
  const endAt = Date.now();
  const pids = [...taken].map((seq) => ctx.stream.instances.get(seq)?.processInstanceId ?? '');
  const confirmed = confirm ? `; ${await confirm(pids)}` : '';
  return {
    at,
    endAt,
    evidence: `${taken.size} instances ${what} while their unit ran (ledger calls seen, answers due ≥ 2 s later): seq ${[...taken].join(', ')}${confirmed}`,
  };
}

/** What the engine's history says of these instances now: "history: 5 EXTERNALLY_TERMINATED". */
async function historyStates(ctx: ScenarioContext, pids: string[]): Promise<string> {
  const found = await ctx.camunda.get<Array<{ state: string }>>('/history/process-instance', {
    processInstanceIds: pids.join(','),
    maxResults: pids.length,
  });
  const byState = new Map<string, number>();
  for (const p of found) byState.set(p.state, (byState.get(p.state) ?? 0) + 1);
  return `history: ${[...byState].map(([state, n]) => `${n} ${state}`).join(', ')}`;
}

/** Short: ~16 tasks; full: ~60. The stream's units are slow, so several run at any moment. */
function slowStream(profile: Profile) {
  return profile === 'short'
    ? { tasks: 16, ratePerSec: 2, unitDelayMs: SLOW_UNIT_MS }
    : { tasks: 60, ratePerSec: 4, unitDelayMs: SLOW_UNIT_MS };
}

/** The verdicts of the tasks `seqs`, and of the others. */
function split(verdict: Verdict, chosen: (seq: string) => boolean): [InstanceVerdict[], InstanceVerdict[]] {
  return [verdict.instances.filter((i) => chosen(i.seq)), verdict.instances.filter((i) => !chosen(i.seq))];
}

/** Problems when any of `instances` does not have `fate` (with the first few named). */
function allAre(instances: InstanceVerdict[], fate: string, which: string): string[] {
  const others = instances.filter((i) => i.fate !== fate);
  if (others.length === 0) return [];
  const named = others
    .slice(0, 3)
    .map((i) => `${i.seq}: ${i.fate}${i.incidentMessage ? ` (${i.incidentMessage.slice(0, 80)})` : ''}`);
  return [`${others.length} of the ${which} did not end as ${fate}: ${named.join('; ')}`];
}

/** Problems when an incident message of `instances` does not match `pattern`. */
function messagesSay(instances: InstanceVerdict[], pattern: RegExp, what: string): string[] {
  const wrong = instances.filter((i) => i.fate === 'incident' && !pattern.test(i.incidentMessage ?? ''));
  return wrong.length === 0
    ? []
    : [`${wrong.length} incidents do not say ${what}, e.g. '${wrong[0]?.incidentMessage?.slice(0, 160)}'`];
}

async function instancesAtActivity(ctx: ScenarioContext, activityId: string): Promise<Map<string, number>> {
  const found = await ctx.camunda.get<Array<{ processInstanceId: string; endTime: string | null }>>(
    '/history/activity-instance',
    { activityId, finished: true, maxResults: 10_000 },
  );
  const byPid = new Map(found.map((a) => [a.processInstanceId, a.endTime ? Date.parse(a.endTime) : 0]));
  const result = new Map<string, number>();
  for (const instance of ctx.stream.instances.values()) {
    const endTime = byPid.get(instance.processInstanceId);
    if (endTime !== undefined) result.set(instance.seq, endTime);
  }
  return result;
}

// ---- boundary timer --------------------------------------------------------------------------------------
const TIMER = 'PT5S';
const slowUnderTimer = (seq: string) => Number(seq) % 3 === 0;

// ---- undecodable variables -------------------------------------------------------------------------------
/** Wire values the engine accepts at process start that BPTL's codec cannot turn into JSON (tried by hand). */
const UNDECODABLE: ReadonlyArray<{ kind: string; variable: CamundaVariable }> = [
  {
    kind: 'an Object serialised as XML',
    variable: {
      type: 'Object',
      value: '<a>1</a>',
      valueInfo: { objectTypeName: 'java.lang.String', serializationDataFormat: 'application/xml' },
    },
  },
  {
    kind: 'an Object in text/plain',
    variable: {
      type: 'Object',
      value: 'hello',
      valueInfo: { objectTypeName: 'java.lang.String', serializationDataFormat: 'text/plain' },
    },
  },
  { kind: 'a malformed Json', variable: { type: 'Json', value: '{not json' } },
  {
    kind: 'a File',
    variable: { type: 'File', value: 'aGVsbG8=', valueInfo: { filename: 'a.txt', mimeType: 'text/plain' } },
  },
];
const BAD_VARIABLE = 'chaosUndecodable';
const undecodable = (seq: string) => Number(seq) % 3 === 1;

// ---- payloads over the limit -----------------------------------------------------------------------------
/** Over the dev server's 2 MiB blob limit, under gRPC's 4 MiB message limit. */
const OVER_LIMIT_BYTES = 3 * 1024 * 1024;
const bigInput = (seq: string) => Number(seq) % 4 === 1;
const bigOutput = (seq: string) => Number(seq) % 4 === 3;

export const engineChangeScenarios: Scenario[] = [
  {
    name: 'instance-deleted',
    title: 'Process instances deleted while their unit runs',
    profiles: ['short', 'full'],
    plan: slowStream,
    fates: ['completed', 'gone'],
    inject: (ctx) =>
      changeWhileRunning(
        ctx,
        ctx.profile === 'short' ? 5 : 15,
        'deleted',
        (pid) => ctx.camunda.delete(`/process-instance/${pid}`),
        (pids) => historyStates(ctx, pids),
      ),
  },
  {
    name: 'instance-cancelled',
    title: 'Process instances cancelled by modification while their unit runs',
    profiles: ['full'],
    plan: slowStream,
    fates: ['completed', 'gone'],
    inject: (ctx) =>
      changeWhileRunning(
        ctx,
        ctx.profile === 'short' ? 5 : 15,
        'cancelled (modification)',
        async (pid) => {
          await ctx.camunda.post(`/process-instance/${pid}/modification`, {
            instructions: [{ type: 'cancel', activityId: 'task' }],
          });
        },
        (pids) => historyStates(ctx, pids),
      ),
  },
  {
    name: 'instance-moved',
    title: 'Tokens moved past the task by modification while its unit runs',
    profiles: ['full'],
    plan: (p) => ({ ...slowStream(p), bpmn: { reviewerExpression: 'demo' } }),
    fates: ['completed', 'gone'],
    inject: (ctx) =>
      changeWhileRunning(
        ctx,
        ctx.profile === 'short' ? 5 : 15,
        'moved to the user task',
        async (pid) => {
          await ctx.camunda.post(`/process-instance/${pid}/modification`, {
            instructions: [
              { type: 'startBeforeActivity', activityId: 'review' },
              { type: 'cancel', activityId: 'task' },
            ],
          });
        },
        async (pids) => {
          const waiting = await ctx.camunda.get<Array<{ processInstanceId: string }>>('/task', {
            processDefinitionKey: ctx.processKey,
            taskDefinitionKey: 'review',
            maxResults: 10_000,
          });
          const at = new Set(waiting.map((t) => t.processInstanceId));
          return `${pids.filter((pid) => at.has(pid)).length} of them wait at the user task 'review'`;
        },
      ),
  },
  {
    name: 'boundary-timer',
    title: `An interrupting timer (${TIMER}) fires while slow units run`,
    profiles: ['full'],
    plan: (p) => ({
      ...(p === 'short' ? { tasks: 15, ratePerSec: 2 } : { tasks: 60, ratePerSec: 4 }),
      unitDelayMs: (seq: string) => (slowUnderTimer(seq) ? 20_000 : 300),
      bpmn: { timerBoundary: TIMER },
    }),
    fates: ['completed', 'gone'],
    async inject(ctx) {
      await ctx.stream.done;
      const slow = [...ctx.stream.instances.keys()].filter(slowUnderTimer);
      // Every slow task's timer fires (the job executor may be a few seconds late).
      const fired = await waitFor('the timers of the slow tasks', 120_000, async () => {
        const ended = await instancesAtActivity(ctx, 'on-timeout');
        return slow.every((seq) => ended.has(seq)) ? ended : undefined;
      });
      // A fast task whose workflow started late may have met its timer too: removed as well, and said so.
      for (const [seq, at] of fired) ctx.removed(seq, at);
      const times = [...fired.values()];
      const fast = [...fired.keys()].filter((seq) => !slowUnderTimer(seq)).length;
      return {
        at: Math.min(...times),
        endAt: Math.max(...times),
        evidence: `timer fired for ${fired.size} tasks (${slow.length} slow${fast > 0 ? `, ${fast} fast ones late` : ''}): instances ended at timeout-end`,
      };
    },
    expect(verdict) {
      const [slow] = split(verdict, slowUnderTimer);
      return allAre(slow, 'gone', 'slow tasks (the timer fired while their unit ran)');
    },
  },
  {
    name: 'completion-refused',
    title: "The engine refuses the completion (the next step's expression does not resolve)",
    profiles: ['short', 'full'],
    plan: (p) => ({
      ...(p === 'short' ? { tasks: 12, ratePerSec: 4 } : { tasks: 40, ratePerSec: 8 }),
      unitDelayMs: 200,
      topic: { refusedCompletionAttempts: 2 },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Camunda expression, not a template
      bpmn: { reviewerExpression: '${reviewer}' },
    }),
    fates: ['incident'],
    async inject(ctx) {
      // The proxy counts for the whole run: what this stream's completions add, from before its first one.
      const completes = () =>
        ctx.servers.camundaProxy.counts()['POST /engine-rest/external-task/:id/complete'] ?? 0;
      const before = completes();
      await ctx.stream.done;
      const began = Date.now();
      const tasks = ctx.stream.instances.size;
      const incidents = await waitFor('an incident for every task', 180_000, async () => {
        const { count } = await ctx.camunda.get<{ count: number }>('/incident/count', {
          processDefinitionKeyIn: ctx.processKey,
        });
        return count >= tasks ? count : undefined;
      });
      return {
        at: began,
        endAt: Date.now(),
        evidence: `${incidents} incidents after the engine refused completions (${completes() - before} complete calls through the proxy, all refused: the user task's assignee \${reviewer} does not resolve)`,
      };
    },
    expect(verdict) {
      const problems = messagesSay(
        verdict.instances,
        /completion refused/i,
        'that the completion was refused',
      );
      if (verdict.effectsApplied !== verdict.tasks)
        problems.push(`${verdict.effectsApplied} effects applied for ${verdict.tasks} tasks`);
      if (verdict.calls !== verdict.tasks)
        problems.push(
          `${verdict.calls} unit calls for ${verdict.tasks} tasks: the unit ran again for a refusal`,
        );
      return problems;
    },
  },
  {
    name: 'undecodable-variable',
    title: 'A variable BPTL cannot decode (Object in XML or text, malformed Json, File) on some tasks',
    profiles: ['full'],
    plan: (p) => ({
      ...(p === 'short' ? { tasks: 12, ratePerSec: 4 } : { tasks: 48, ratePerSec: 8 }),
      unitDelayMs: 200,
      rawVariables: (seq) =>
        undecodable(seq)
          ? { [BAD_VARIABLE]: UNDECODABLE[Number(seq) % UNDECODABLE.length]?.variable as CamundaVariable }
          : undefined,
    }),
    fates: ['completed', 'incident'],
    async inject(ctx) {
      await ctx.stream.done;
      const began = Date.now();
      const bad = [...ctx.stream.instances.keys()].filter(undecodable);
      const incidents = await waitFor(
        'an incident for every task with an undecodable variable',
        120_000,
        async () => {
          const { count } = await ctx.camunda.get<{ count: number }>('/incident/count', {
            processDefinitionKeyIn: ctx.processKey,
          });
          return count >= bad.length ? count : undefined;
        },
      );
      const kinds = new Set(bad.map((seq) => UNDECODABLE[Number(seq) % UNDECODABLE.length]?.kind));
      return {
        at: began,
        endAt: Date.now(),
        evidence: `${bad.length} tasks started with an undecodable '${BAD_VARIABLE}' (${[...kinds].join(', ')}) the engine accepted; ${incidents} incidents`,
      };
    },
    expect(verdict) {
      const [bad, good] = split(verdict, undecodable);
      return [
        ...allAre(bad, 'incident', 'tasks with an undecodable variable'),
        ...messagesSay(
          bad,
          new RegExp(`variable '${BAD_VARIABLE}'`),
          `the variable's name '${BAD_VARIABLE}'`,
        ),
        ...allAre(good, 'completed', 'other tasks'),
      ];
    },
  },
  {
    name: 'payload-over-limit',
    title: "Payloads over Temporal's limit: a 3 MiB input variable, a 3 MiB unit output",
    profiles: ['short', 'full'],
    plan: (p) => ({
      ...(p === 'short' ? { tasks: 12, ratePerSec: 2 } : { tasks: 40, ratePerSec: 4 }),
      unitDelayMs: 200,
      variables: (seq) => (bigInput(seq) ? { chaosBig: { pad: 'y'.repeat(OVER_LIMIT_BYTES) } } : {}),
      answerBytes: (seq) => (bigOutput(seq) ? OVER_LIMIT_BYTES : 0),
    }),
    fates: ['completed', 'incident'],
    async inject(ctx) {
      await ctx.stream.done;
      const began = Date.now();
      const big = [...ctx.stream.instances.keys()].filter((s) => bigInput(s) || bigOutput(s));
      const incidents = await waitFor(
        'an incident for every task with a payload over the limit',
        180_000,
        async () => {
          const { count } = await ctx.camunda.get<{ count: number }>('/incident/count', {
            processDefinitionKeyIn: ctx.processKey,
          });
          return count >= big.length ? count : undefined;
        },
      );
      const outputs = big.filter(bigOutput);
      const answered = outputs.filter((seq) => ctx.ledger.calls.some((c) => c.seq === seq)).length;
      return {
        at: began,
        endAt: Date.now(),
        evidence: `${big.length - outputs.length} tasks with a ${OVER_LIMIT_BYTES}-byte input variable, ${outputs.length} whose unit answered ${OVER_LIMIT_BYTES} bytes (${answered} ledger calls seen); ${incidents} incidents`,
      };
    },
    expect(verdict) {
      const [big, others] = split(verdict, (s) => bigInput(s) || bigOutput(s));
      const problems = [
        ...allAre(big, 'incident', 'tasks with a payload over the limit'),
        ...messagesSay(
          big,
          /(larger than|too large|exceeds)[\s\S]*\d+ bytes/i,
          'that the payload is too large, by how much',
        ),
        ...allAre(others, 'completed', 'other tasks'),
      ];
      // Nothing loops: each unit that started ran once (a big input never starts a workflow).
      const ran = verdict.tasks - verdict.instances.filter((i) => bigInput(i.seq)).length;
      if (verdict.calls !== ran) problems.push(`${verdict.calls} unit calls where ${ran} units ran`);
      return problems;
    },
  },
];
