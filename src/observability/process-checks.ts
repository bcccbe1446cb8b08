/**
 * The readiness checks of a BPTL process: each configured engine (`GET /engine`), Temporal (GetSystemInfo, once
 * the process is connected), and the configuration store (its revision, one cheap query) when it is the source.
 */
import type { BptlContext } from '../cli/bptl-context.ts';
import {
  CHECK_TIMEOUT_MS,
  type HealthCheck,
  type HealthChecks,
  laterCheck,
  type Pingable,
} from './health-checks.ts';

/** A Temporal connection of either kind (client Connection, worker NativeConnection). */
export interface TemporalPingTarget {
  workflowService: { getSystemInfo(request: Record<string, never>): Promise<unknown> };
}

/** The ping of a Temporal connection. */
export function temporalPing(connection: TemporalPingTarget): () => Promise<unknown> {
  return () => connection.workflowService.getSystemInfo({});
}

/** Check names: `engine:<name>`, `temporal`, `store`. */
export function processChecks(
  ctx: Pick<BptlContext, 'current' | 'engines' | 'store'>,
  temporal: () => Pingable,
): HealthChecks {
  return () => {
    const checks: HealthCheck[] = ctx.current().config.engines.map((engine) => ({
      name: `engine:${engine.name}`,
      run: () => ctx.engines.clientFor(engine).engines(CHECK_TIMEOUT_MS),
    }));
    checks.push(laterCheck('temporal', temporal));
    const store = ctx.store;
    if (store) checks.push({ name: 'store', run: () => store.revision() });
    return checks;
  };
}
