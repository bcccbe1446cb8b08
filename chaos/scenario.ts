/**
 * A chaos scenario: a stream of tasks through the real stack (its plan), one fault injected into it, and what
 * each task may end as. The driver (drive.ts) runs the plan, calls `inject` once the stream runs, waits for
 * every task to reach a terminal state, and checks the outcome (check.ts).
 */
import type { Client } from '@temporalio/client';
import type { CamundaClient } from '../src/engine/camunda-client.ts';
import type { CamundaVariables } from '../src/engine/variables.ts';
import type { Logger } from '../src/logging/logger.ts';
import type { BptlFleet } from './bptl-fleet.ts';
import type { TaskFate, Verdict } from './check.ts';
import type { Ledger } from './ledger.ts';
import type { ChaosServers } from './servers.ts';
import type { TaskStream } from './stream.ts';

export type Profile = 'short' | 'full';

export interface StreamPlan {
  tasks: number;
  ratePerSec: number;
  /** The ledger's answer delay: how long the unit runs (per task, or the same for all). */
  unitDelayMs?: number | ((seq: string) => number);
  /** Topic settings on top of the chaos defaults (lockDurationMs, heartbeatTimeoutMs, retry, …). */
  topic?: Record<string, unknown>;
  /** The BPMN: after the task, a user task assigned by this expression; an interrupting timer on the task. */
  bpmn?: { reviewerExpression?: string; timerBoundary?: string };
  /** Variables added to every task (or per seq). */
  variables?: (seq: string) => Record<string, unknown>;
  /**
   * Wire variables added as they are, after encoding (values BPTL itself would never write: a malformed Json, an
   * Object in another serialization format, a File).
   */
  rawVariables?: (seq: string) => CamundaVariables | undefined;
  /**
   * The size of a padding string the ledger adds to its answer (`pad`), picked into the output variable
   * `chaosPad`: a unit output of this many bytes and more (per task, or the same for all).
   */
  answerBytes?: number | ((seq: string) => number);
  /** The worker ids of the `bptl run` processes started before the stream (default: one). */
  workerIds?: string[];
  /** Environment of the `bptl run` processes. */
  env?: Record<string, string>;
  /** How long the tasks may take to settle after the fault ends. @default 240000 */
  settleMs?: number;
}

/** When the fault began and ended (for a kill, the same instant), and what shows it really happened. */
export interface FaultWindow {
  at: number;
  endAt: number;
  /** E.g. "pid 1234 gone 12 ms after SIGKILL", "blackholed 61.0 s, 37 requests held". */
  evidence: string;
}

export interface ScenarioContext {
  readonly name: string;
  readonly profile: Profile;
  readonly topic: string;
  readonly processKey: string;
  readonly servers: ChaosServers;
  readonly ledger: Ledger;
  readonly stream: TaskStream;
  readonly fleet: BptlFleet;
  readonly plan: StreamPlan;
  /** Direct clients (not through the proxies). */
  readonly camunda: CamundaClient;
  readonly temporal: Client;
  readonly log: Logger;
  /** Records that the scenario removed an instance's task (deleted, cancelled, moved, timer). */
  removed(seq: string, at?: number): void;
  /** Starts a replacement `bptl run` with this worker id (after a kill), without waiting for it. */
  restart(workerId: string): void;
}

export interface Scenario {
  /** Row id, e.g. `kill-during-unit`. */
  name: string;
  /** The row's label in the table. */
  title: string;
  /** The profiles it runs in (the short one runs in the test suite). */
  profiles: readonly Profile[];
  plan(profile: Profile): StreamPlan;
  inject(ctx: ScenarioContext): Promise<FaultWindow>;
  /**
   * The fates a task may have; any other is a failure of the row. @default ['completed']
   */
  fates?: readonly TaskFate[];
  /** Extra checks on the verdict (e.g. every task has an incident naming the payload's size). */
  expect?(verdict: Verdict): string[];
}
