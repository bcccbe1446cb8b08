/**
 * The input an operation declares, checked once for every route: the JSON body (415 when it is not JSON, 400
 * when it does not parse, holds a NUL or fails the operation's `body` schema, naming each field) and the query
 * (400 naming each bad parameter). Handlers get the parsed values; none parses on its own.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { parseInput } from '../store/write-transaction.ts';
import type { ApiEnv } from './auth.ts';
import type { Operation, OperationInput } from './operation.ts';
import { readJson, readQuery } from './request.ts';

/** Parses what `op` declares from the request; throws the 400/415 problems. */
export async function readOperationInput(
  c: Context<ApiEnv>,
  op: Operation,
): Promise<OperationInput<z.ZodType, z.ZodObject>> {
  // Undefined for what the operation does not declare; such a handler has no reason to read it.
  const query = (op.query === undefined ? undefined : readQuery(c, op.query)) as z.output<z.ZodObject>;
  if (op.body === undefined) return { body: undefined, query };
  const json = await readJson(c);
  const body = parseInput(op.body, op.prepareBody === undefined ? json : op.prepareBody(json, c));
  return { body, query };
}
