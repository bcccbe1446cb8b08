/** The ZGW units (Zaken, Catalogi, Documenten) and the Objects API units: see docs/zgw-work-units.md. */
import type { AnyWorkUnit } from '../../define-work-unit.ts';
import { zgwDocumentUnits } from './documents/index.ts';
import { zgwZaakUnits } from './zaken/index.ts';

export const zgwUnits: AnyWorkUnit[] = [...zgwZaakUnits, ...zgwDocumentUnits];
