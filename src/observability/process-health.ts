/**
 * The health server of a long-running command without the API (`bptl worker`, `bptl poller`, `bptl run`): started
 * once the context is loaded (before the wait for Temporal, so that /healthz answers and /readyz says "temporal:
 * not connected yet" meanwhile), stopped in the shutdown's `api` phase (after the pollers and the worker, so that
 * an orchestrator still sees the process live while it drains).
 */
import type { BptlContext } from '../cli/bptl-context.ts';
import type { Shutdown } from '../cli/shutdown.ts';
import type { Pingable } from './health-checks.ts';
import { startHealthServer } from './health-server.ts';
import { type BptlMetrics, metricsText } from './metrics.ts';
import { processChecks, type TemporalPingTarget, temporalPing } from './process-checks.ts';

export interface ProcessHealth {
  /** Gives the readiness check the process's Temporal connection, once it is connected. */
  setTemporal(connection: TemporalPingTarget): void;
}

/** Starts the health server unless BPTL_HEALTH_PORT is off (0), and registers its stop. */
export async function startProcessHealth(
  ctx: BptlContext,
  shutdown: Shutdown,
  metrics?: BptlMetrics,
  /** Another exporter's text to append to /metrics (the Temporal SDK's: temporalSdkMetrics). */
  extraMetrics?: () => Promise<string>,
): Promise<ProcessHealth> {
  let temporal: Pingable;
  const health: ProcessHealth = {
    setTemporal(connection) {
      temporal = temporalPing(connection);
    },
  };
  const port = ctx.env.BPTL_HEALTH_PORT;
  if (port === 0) return health;
  const server = await startHealthServer({
    port,
    host: ctx.env.BPTL_HEALTH_HOST,
    checks: processChecks(ctx, () => temporal),
    ...(metrics ? { metrics: () => metricsText(metrics, extraMetrics) } : {}),
  });
  shutdown.add('api', 'health server', () => server.close());
  ctx.log.info('health server listening', { url: server.url, paths: ['/healthz', '/readyz', '/metrics'] });
  return health;
}
