/** The units on documents (Documenten API), the Objects API, and the process of a zaaktype. */
import type { AnyWorkUnit } from '../../../define-work-unit.ts';
import { zgwLockDocument } from './lock-document.ts';
import { objectsFilterZaakobjecten } from './objects-filter-zaakobjecten.ts';
import { objectsInitChecklist } from './objects-init-checklist.ts';
import { objectsSearch } from './objects-search.ts';
import { zgwRelateDocument } from './relate-document.ts';
import { zgwSetIndicatieGebruiksrecht } from './set-indicatie-gebruiksrecht.ts';
import { zgwStartZaaktypeProcess } from './start-zaaktype-process.ts';
import { zgwUnlockDocument } from './unlock-document.ts';

export {
  objectsFilterZaakobjecten,
  objectsInitChecklist,
  objectsSearch,
  zgwLockDocument,
  zgwRelateDocument,
  zgwSetIndicatieGebruiksrecht,
  zgwStartZaaktypeProcess,
  zgwUnlockDocument,
};

export const zgwDocumentUnits: AnyWorkUnit[] = [
  zgwRelateDocument,
  zgwLockDocument,
  zgwUnlockDocument,
  zgwSetIndicatieGebruiksrecht,
  zgwStartZaaktypeProcess,
  objectsSearch,
  objectsFilterZaakobjecten,
  objectsInitChecklist,
];
