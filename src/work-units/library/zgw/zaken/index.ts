/** The units on zaken: create, close, look up; statuses, results, roles, eigenschappen, relations, objects. */
import type { AnyWorkUnit } from '../../../define-work-unit.ts';
import { zgwCloseZaak } from './close-zaak.ts';
import { zgwCreateResultaat } from './create-resultaat.ts';
import { zgwCreateRol } from './create-rol.ts';
import { zgwCreateStatus } from './create-status.ts';
import { zgwCreateZaak } from './create-zaak.ts';
import { zgwCreateZaakobject } from './create-zaakobject.ts';
import { zgwGetZaakRelations } from './get-zaak-relations.ts';
import { zgwGetZaakobjecten } from './get-zaakobjecten.ts';
import { zgwLookupZaak } from './lookup-zaak.ts';
import { zgwRelateZaken } from './relate-zaken.ts';
import { zgwSetZaakeigenschap } from './set-zaakeigenschap.ts';

export {
  zgwCloseZaak,
  zgwCreateResultaat,
  zgwCreateRol,
  zgwCreateStatus,
  zgwCreateZaak,
  zgwCreateZaakobject,
  zgwGetZaakobjecten,
  zgwGetZaakRelations,
  zgwLookupZaak,
  zgwRelateZaken,
  zgwSetZaakeigenschap,
};

export const zgwZaakUnits: AnyWorkUnit[] = [
  zgwCreateZaak,
  zgwCloseZaak,
  zgwLookupZaak,
  zgwCreateStatus,
  zgwCreateResultaat,
  zgwCreateRol,
  zgwSetZaakeigenschap,
  zgwRelateZaken,
  zgwGetZaakRelations,
  zgwGetZaakobjecten,
  zgwCreateZaakobject,
];
