/**
 * A BPMN process through the real Camunda and Temporal whose external tasks are BPTL's ZGW units, against the
 * loopback ZGW server (every request and answer checked against the official OpenAPI files): create a zaak,
 * set a status, relate a document, add a rol, close the zaak. The services and the application's credentials
 * come from the configuration store as the API writes them, and every call goes with the task's application
 * (`bptlAppId`) client id. The task detail (GET /tasks/{engine}/{taskId}) then lists
 * each attempt's outbound requests, with no token in them.
 */
import { describe, expect, inject, it } from 'vitest';
import { storeServiceResolver } from '../../src/cli/run-worker.ts';
import { encodeVariables } from '../../src/engine/variables.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { createTestApi, VIEWER_TOKEN } from '../support/api.ts';
import { externalTaskChain } from '../support/bpmn.ts';
import { engineInput } from '../support/store-inputs.ts';
import { LOOPBACK_POLICY, startZgw, ZGW_CLIENT_ID, ZGW_SECRET } from '../support/zgw.ts';
import { createHarness, ENGINE, eventually } from './harness.ts';

const APP_CLIENT_ID = 'vergunningen-app';
const APP_SECRET = 'vergunningen-app-secret';

describe('a ZGW process through Camunda and Temporal', () => {
  it("creates, advances and closes a zaak with the application's credentials, each call routed by URL", async () => {
    const cleanups: Array<() => Promise<void>> = [];
    try {
      const zgw = await startZgw({ clients: { [ZGW_CLIENT_ID]: ZGW_SECRET, [APP_CLIENT_ID]: APP_SECRET } });
      cleanups.push(() => zgw.close());
      const h = await createHarness('zgw-process');
      cleanups.push(() => h.close());
      const api = await createTestApi({
        temporal: h.client,
        engines: { get: (name) => (name === ENGINE ? h.camunda : undefined) },
      });
      cleanups.push(() => api.close());
      await api.store.engines.create(engineInput({ name: ENGINE, url: inject('camundaUrl') }), {
        actor: 'test',
      });

      // The services as an admin configures them: the service's own credentials, and the application's.
      const services = {
        zaken: zgw.baseUrls.zaken,
        catalogi: zgw.baseUrls.catalogi,
        documenten: zgw.baseUrls.documenten,
      };
      for (const [name, baseUrl] of Object.entries(services)) {
        const created = await api.request('POST', '/services', {
          body: { name, baseUrl, auth: { type: 'zgw', clientId: ZGW_CLIENT_ID, secret: ZGW_SECRET } },
        });
        expect(created.status, await created.clone().text()).toBe(201);
        const credentials = await api.request('POST', `/services/${name}/credentials`, {
          body: {
            applicationId: 'vergunningen',
            auth: { type: 'zgw', clientId: APP_CLIENT_ID, secret: APP_SECRET },
          },
        });
        expect(credentials.status, await credentials.clone().text()).toBe(201);
      }
      await h.startWorker([], { services: storeServiceResolver(api.store), outboundPolicy: LOOPBACK_POLICY });

      const steps = [
        ['create', 'zgw-create-zaak'],
        ['status', 'zgw-create-status'],
        ['document', 'zgw-relate-document'],
        ['rol', 'zgw-create-rol'],
        ['close', 'zgw-close-zaak'],
      ] as const;
      const topics = steps.map(([suffix]) => h.topicName(suffix));
      const key = `${h.id}-zgw`;
      await h.camunda.deploy(key, [{ filename: `${key}.bpmn`, content: externalTaskChain(key, topics) }]);
      const poller = h.createPoller(
        steps.map(([, workUnit], i) =>
          h.topicConfig(topics[i] as string, workUnit, {
            // Each unit's aliases bound; relating a document is a Zaken call (Zaken checks the document's URL).
            services:
              workUnit === 'zgw-relate-document' ? { zrc: 'zaken' } : { zrc: 'zaken', ztc: 'catalogi' },
          }),
        ),
      );
      poller.start();

      const document = zgw.seed.documents[0];
      const instance = await h.camunda.startProcess(key, {
        businessKey: `${h.id}-aanvraag`,
        variables: encodeVariables({
          bptlAppId: 'vergunningen',
          organisatieRSIN: zgw.seed.rsin,
          catalogusDomein: zgw.seed.domein,
          zaaktypeIdentificatie: zgw.seed.zaaktypeIdentificatie,
          zaakDetails: { omschrijving: 'Aanvraag omgevingsvergunning' },
          initiator: {
            betrokkeneType: 'natuurlijk_persoon',
            roltoelichting: 'aanvrager',
            betrokkeneIdentificatie: { inpBsn: '999999011' },
          },
          statusVolgnummer: 2,
          informatieobject: document,
          omschrijving: 'Behandelaar',
          betrokkene: {
            betrokkeneType: 'medewerker',
            roltoelichting: 'behandelaar',
            betrokkeneIdentificatie: { identificatie: 'mdw-1' },
          },
          resultaattype: zgw.seed.resultaattypen.toegekend,
        }),
      });
      const ended = await waitForProcessEnd(h.camunda, instance.id);
      expect(ended.state).toBe('COMPLETED');

      // What the process left in the ZGW APIs: one zaak with its three statussen, its rollen, the document, a resultaat.
      const zaken = zgw.store.list('zaken').filter((z) => z.bronorganisatie === zgw.seed.rsin);
      expect(zaken).toHaveLength(1);
      const zaakUrl = zaken[0]?.url as string;
      const of = (collection: string) => zgw.store.list(collection).filter((r) => r.zaak === zaakUrl);
      expect(of('statussen').map((s) => s.statustype)).toEqual([
        zgw.seed.statustypen[0],
        zgw.seed.statustypen[1],
        zgw.seed.statustypen[2],
      ]);
      expect(
        of('rollen')
          .map((r) => r.roltype)
          .sort(),
      ).toEqual([zgw.seed.roltypen.initiator, zgw.seed.roltypen.behandelaar].sort());
      expect(of('zaakinformatieobjecten').map((z) => z.informatieobject)).toEqual([document]);
      expect(of('resultaten').map((r) => r.resultaattype)).toEqual([zgw.seed.resultaattypen.toegekend]);
      expect(zaken[0]?.einddatum).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      // The process variables the units set.
      const variables = await h.camunda.get<Array<{ name: string; value: unknown }>>(
        '/history/variable-instance',
        {
          processInstanceId: instance.id,
        },
      );
      const byName = Object.fromEntries(variables.map((v) => [v.name, v.value]));
      expect(byName).toMatchObject({ zaakUrl, archiefnominatie: 'blijvend_bewaren' });

      // Every call went with the application's client id, to every API (Catalogi's zaaktype through the zaak's URL).
      expect(zgw.requests.length).toBeGreaterThan(5);
      expect(new Set(zgw.requests.map((r) => r.clientId))).toEqual(new Set([APP_CLIENT_ID]));
      expect(new Set(zgw.requests.map((r) => r.path.split('/')[1]))).toEqual(new Set(['zaken', 'catalogi']));
      zgw.assertNoViolations();

      // The task detail of the create task, as the API gives it: its requests, without the token.
      const tasks = await h.camunda.get<Array<{ externalTaskId: string; topicName: string }>>(
        '/history/external-task-log',
        { processInstanceId: instance.id, successLog: true },
      );
      const createTask = tasks.find((t) => t.topicName === topics[0]);
      expect(createTask).toBeDefined();
      const detail = await eventually(async () => {
        const res = await api.request(
          'GET',
          `/tasks/${ENGINE}/${encodeURIComponent(createTask?.externalTaskId as string)}`,
          {
            token: VIEWER_TOKEN,
          },
        );
        return res.status === 200
          ? ((await res.json()) as {
              activities: Array<{ requests?: Array<{ method: string; path: string; status?: number }> }>;
            })
          : undefined;
      }, 'the create task detail');
      const requests = detail.activities.flatMap((a) => a.requests ?? []);
      expect(requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /zaken/api/v1/zaken');
      expect(requests.every((r) => r.status !== undefined && r.status < 300)).toBe(true);
      expect(JSON.stringify(detail)).not.toContain(APP_SECRET);
      expect(JSON.stringify(detail)).not.toMatch(/Bearer|eyJ/);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });
});
