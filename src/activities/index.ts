/** The activities a BPTL worker registers. */
export { createEngineActivities, type EngineClients } from './engine-activities.ts';
export type { EngineActivities, RunWorkUnitInput, WorkUnitActivities, WorkUnitResult } from './types.ts';
export { createWorkUnitActivities } from './work-unit-activities.ts';
