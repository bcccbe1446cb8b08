/**
 * The search attributes every external-task workflow carries, so operators find a task's workflow in the
 * Temporal UI by topic, process instance or business key. Never a variable value: search attributes are
 * not encrypted. The local dev server registers them at start (src/local/temporal-dev-server.ts).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BptlEngine = defineSearchAttributeKey('BptlEngine', SearchAttributeType.KEYWORD);
export const BptlTopic = defineSearchAttributeKey('BptlTopic', SearchAttributeType.KEYWORD);
export const BptlWorkUnit = defineSearchAttributeKey('BptlWorkUnit', SearchAttributeType.KEYWORD);
export const BptlProcessInstanceId = defineSearchAttributeKey(
  'BptlProcessInstanceId',
  SearchAttributeType.KEYWORD,
);
export const BptlProcessDefinitionKey = defineSearchAttributeKey(
  'BptlProcessDefinitionKey',
  SearchAttributeType.KEYWORD,
);
export const BptlBusinessKey = defineSearchAttributeKey('BptlBusinessKey', SearchAttributeType.KEYWORD);
export const BptlOutcome = defineSearchAttributeKey('BptlOutcome', SearchAttributeType.KEYWORD);
/** Where the task waits now, or `closed` (see task-state.ts): `BptlState = 'completion-refused'`. */
export const BptlState = defineSearchAttributeKey('BptlState', SearchAttributeType.KEYWORD);

/** All of them, for registration. */
export const bptlSearchAttributes = [
  BptlEngine,
  BptlTopic,
  BptlWorkUnit,
  BptlProcessInstanceId,
  BptlProcessDefinitionKey,
  BptlBusinessKey,
  BptlOutcome,
  BptlState,
] as const;
