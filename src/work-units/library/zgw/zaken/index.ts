/** The units on zaken: create, close, look up; statuses, results, roles, eigenschappen, relations, objects. */
import type { AnyWorkUnit } from '../../../define-work-unit.ts';

export const zgwZaakUnits: AnyWorkUnit[] = [];
