/**
 * `zgw-start-zaaktype-process`: starts the process that belongs to a zaak's zaaktype (BPTL's "start camunda
 * process" task). The zaaktype's identificatie (and its catalogus' domein) is looked up in the objects of a
 * mapping objecttype on the Objects API (`{ zaaktypeIdentificaties, zaaktypeCatalogus?,
 * camundaProcessDefinitionKey }`); the process is started in the task's engine with the zaak as variables and
 * the zaak's identificatie as business key.
 *
 * Repeatable: the started instance carries the variable `bptlIdempotencyKey` (the task's idempotency key), and a
 * repeated attempt that finds an instance of the process with that business key and that variable (running or
 * ended) returns it instead of starting another.
 */
import { z } from 'zod';
import type { CamundaClient } from '../../../../engine/camunda-client.ts';
import { encodeVariables } from '../../../../engine/variables.ts';
import { NonRetryableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { catalogusSchema, rolSchema, zaakSchema, zaaktypeSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { callEngine, engineOf } from '../../camunda/engine.ts';
import { OBJECTTYPES_ALIAS, objecttypeNamed, searchObjects } from './objects-api.ts';

/** The objecttype looked for by name when the process names none (BPTL's "StartCamundaProcessForm"). */
export const DEFAULT_ZAAKTYPE_PROCESS_OBJECTTYPE_NAME = 'StartCamundaProcessForm';

/** The variable of a started instance that names the task which started it. */
export const IDEMPOTENCY_VARIABLE = 'bptlIdempotencyKey';

/** The data of a mapping object: which zaaktypen start which process. */
const mappingSchema = z.looseObject({
  zaaktypeIdentificaties: z.union([z.array(z.string()), z.string().transform((id) => [id])]),
  zaaktypeCatalogus: z.string().optional(),
  camundaProcessDefinitionKey: z.string().min(1),
});

const instancesSchema = z.array(z.looseObject({ id: z.string() }));

/** The instance of `key` with `businessKey` that this task started earlier (running, else ended), if any. */
async function startedEarlier(
  engine: CamundaClient,
  key: string,
  businessKey: string,
  idempotencyKey: string,
): Promise<string | undefined> {
  const what = `looking for an instance of '${key}' started earlier by this task`;
  const variables = `${IDEMPOTENCY_VARIABLE}_eq_${idempotencyKey}`;
  const running = await callEngine(what, () =>
    engine.get('/process-instance', { processDefinitionKey: key, businessKey, variables }),
  );
  const found = instancesSchema.parse(running)[0];
  if (found) return found.id;
  const ended = await callEngine(what, () =>
    engine.get('/history/process-instance', {
      processDefinitionKey: key,
      processInstanceBusinessKey: businessKey,
      variables,
    }),
  );
  return instancesSchema.parse(ended)[0]?.id;
}

export const zgwStartZaaktypeProcess = defineWorkUnit({
  name: 'zgw-start-zaaktype-process',
  description:
    "Starts the process that the zaak `zaakUrl`'s zaaktype maps to in the Objects API (objecttype `zaaktypeProcessObjecttype`, URL; default the objecttype named 'StartCamundaProcessForm') with `zaakUrl`, `zaakIdentificatie`, `zaakDetails` and `initiator` (the variable, else the zaak's initiator rol) as variables and the zaak's identificatie as business key; returns `startedProcessInstanceId` and `startedProcessDefinitionKey`.",
  input: z.object({
    zaakUrl: z.url(),
    zaaktypeProcessObjecttype: z.url().optional(),
    initiator: z.string().min(1).optional(),
  }),
  output: z.object({ startedProcessInstanceId: z.string(), startedProcessDefinitionKey: z.string() }),
  services: ['zrc', 'ztc', 'objects', OBJECTTYPES_ALIAS],
  run: async (context) => {
    const engine = engineOf(context);
    const zgw = ZgwClient.of(context);
    const zaak = await zgw.get(context.input.zaakUrl, zaakSchema);
    const zaaktype = await zgw.get(zaak.zaaktype, zaaktypeSchema);
    const catalogus = await zgw.get(zaaktype.catalogus, catalogusSchema);
    const objecttype =
      context.input.zaaktypeProcessObjecttype ??
      (
        await objecttypeNamed(
          zgw,
          context,
          DEFAULT_ZAAKTYPE_PROCESS_OBJECTTYPE_NAME,
          'zaaktypeProcessObjecttype',
        )
      ).url;

    const filters = [`zaaktypeIdentificaties__icontains__${zaaktype.identificatie}`];
    const candidates = await searchObjects(zgw, objecttype, filters, 'zaaktypeProcessObjecttype');
    // The server's filter is a substring match: keep the mappings that name this zaaktype and its catalogus.
    const keys = new Set<string>();
    for (const object of candidates) {
      const mapping = mappingSchema.safeParse(object.record.data);
      if (!mapping.success) continue;
      const { zaaktypeIdentificaties, zaaktypeCatalogus, camundaProcessDefinitionKey } = mapping.data;
      if (!zaaktypeIdentificaties.includes(zaaktype.identificatie)) continue;
      if (zaaktypeCatalogus !== undefined && zaaktypeCatalogus !== catalogus.domein) continue;
      keys.add(camundaProcessDefinitionKey);
    }
    if (keys.size === 0) {
      throw new NonRetryableError(
        `no process for zaaktype '${zaaktype.identificatie}' (catalogus '${catalogus.domein}'): no object of objecttype ${objecttype} maps it to a process definition key`,
      );
    }
    if (keys.size > 1) {
      throw new NonRetryableError(
        `zaaktype '${zaaktype.identificatie}' maps to more than one process in objecttype ${objecttype}: ${[...keys].join(', ')}`,
      );
    }
    const [key] = [...keys] as [string];
    const businessKey = zaak.identificatie;

    const earlier = await startedEarlier(engine, key, businessKey, context.idempotencyKey);
    if (earlier) {
      context.log.info('process started earlier by this task', {
        processDefinitionKey: key,
        processInstanceId: earlier,
      });
      return { startedProcessInstanceId: earlier, startedProcessDefinitionKey: key };
    }

    let initiator = context.input.initiator;
    if (initiator === undefined) {
      const rollen = await zgw.list({ api: 'zaken', path: '/rollen' }, rolSchema, {
        zaak: zaak.url,
        omschrijvingGeneriek: 'initiator',
      });
      const identificatie = rollen.find(
        (rol) => rol.omschrijvingGeneriek === 'initiator',
      )?.betrokkeneIdentificatie;
      if (identificatie && typeof identificatie === 'object' && 'identificatie' in identificatie) {
        const value = (identificatie as { identificatie?: unknown }).identificatie;
        if (typeof value === 'string' && value !== '') initiator = value;
      }
    }

    const variables = {
      zaakUrl: zaak.url,
      zaakIdentificatie: zaak.identificatie,
      zaakDetails: {
        omschrijving: typeof zaak.omschrijving === 'string' ? zaak.omschrijving : '',
        zaaktypeOmschrijving: zaaktype.omschrijving ?? '',
      },
      ...(initiator !== undefined ? { initiator } : {}),
      [IDEMPOTENCY_VARIABLE]: context.idempotencyKey,
    };
    const started = await callEngine(`starting process '${key}'`, () =>
      engine.startProcess(key, { variables: encodeVariables(variables), businessKey }),
    );
    context.log.info('process started', {
      processDefinitionKey: key,
      processInstanceId: started.id,
      businessKey,
    });
    return { startedProcessInstanceId: started.id, startedProcessDefinitionKey: key };
  },
});
