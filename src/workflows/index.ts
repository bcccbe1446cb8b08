/** The workflows a BPTL worker runs (the worker bundles this file). */
export { externalTask } from './external-task-workflow.ts';
export { runWorkUnitOnce } from './run-work-unit-workflow.ts';
