/**
 * The BPTL HTTP API (Hono). For now read-only: health, the work-unit registry with each unit's JSON Schemas,
 * the configured topics, and the external tasks running in Temporal. Topic management comes with the
 * configuration store.
 */
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import type { BptlConfig } from '../config/topic-config.ts';
import type { WorkUnitRegistry } from '../work-units/registry.ts';
import { onError, problem } from './problem.ts';

export interface ApiDependencies {
  registry: WorkUnitRegistry;
  config: () => BptlConfig;
  temporal?: Client;
}

const tasksQuery = z.object({
  status: z.enum(['Running', 'Completed', 'Failed', 'Terminated', 'Canceled', 'TimedOut']).default('Running'),
  topic: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
}

/** Escapes a value for a Temporal list-filter string literal. */
function literal(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function createApp(deps: ApiDependencies): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound((c) => problem(c, 404, 'Not Found', { detail: `no route ${c.req.method} ${c.req.path}` }));

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.get('/work-units', (c) =>
    c.json(
      deps.registry.list().map((unit) => ({
        name: unit.name,
        description: unit.description,
        input: jsonSchema(unit.input),
        output: jsonSchema(unit.output),
      })),
    ),
  );

  app.get('/topics', (c) => c.json(deps.config().topics));

  app.get('/tasks', async (c) => {
    if (!deps.temporal) return problem(c, 503, 'Temporal is not connected');
    const parsed = tasksQuery.safeParse(c.req.query());
    if (!parsed.success) {
      return problem(c, 400, 'Bad Request', {
        detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        issues: parsed.error.issues,
      });
    }
    const { status, topic, limit } = parsed.data;
    const query = [`ExecutionStatus = ${literal(status)}`, 'BptlTopic IS NOT NULL'];
    if (topic) query.push(`BptlTopic = ${literal(topic)}`);
    const tasks = [];
    for await (const w of deps.temporal.workflow.list({ query: query.join(' AND '), pageSize: limit })) {
      const attrs = w.typedSearchAttributes;
      const get = (name: string) => attrs.getAll().find((p) => p.key.name === name)?.value;
      tasks.push({
        workflowId: w.workflowId,
        runId: w.runId,
        status: w.status.name,
        startTime: w.startTime,
        closeTime: w.closeTime ?? null,
        engine: get('BptlEngine'),
        topic: get('BptlTopic'),
        workUnit: get('BptlWorkUnit'),
        processInstanceId: get('BptlProcessInstanceId') ?? null,
        businessKey: get('BptlBusinessKey') ?? null,
        outcome: get('BptlOutcome') ?? null,
      });
      if (tasks.length >= limit) break;
    }
    return c.json(tasks);
  });

  return app;
}
