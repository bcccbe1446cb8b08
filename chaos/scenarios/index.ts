/** Every scenario, in the table's order. */
import type { Scenario } from '../scenario.ts';
import { engineChangeScenarios } from './engine-changes.ts';
import { fleetScenarios } from './fleets.ts';
import { killBptlScenarios } from './kill-bptl.ts';
import { serverScenarios } from './servers.ts';

export const allScenarios: readonly Scenario[] = [
  ...killBptlScenarios,
  ...serverScenarios,
  ...fleetScenarios,
  ...engineChangeScenarios,
];
