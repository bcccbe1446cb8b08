/** Every scenario, in the table's order. */
import type { Scenario } from '../scenario.ts';
import { engineChangeScenarios } from './engine-changes.ts';
import { killBptlScenarios } from './kill-bptl.ts';

export const allScenarios: readonly Scenario[] = [...killBptlScenarios, ...engineChangeScenarios];
