/** The units on documents (Documenten API), the Objects API, and the process of a zaaktype. */
import type { AnyWorkUnit } from '../../../define-work-unit.ts';

export const zgwDocumentUnits: AnyWorkUnit[] = [];
