/**
 * The Documenten API 1.4.3 of the loopback ZGW server: enkelvoudiginformatieobjecten (list, create, retrieve,
 * update only with the current lock, lock and unlock) and objectinformatieobjecten.
 */
import { randomUUID } from 'node:crypto';
import type { ZgwHandlers, ZgwRequestContext } from '../zgw-handler.ts';
import { filterExact, getSelf, reference } from '../zgw-handler.ts';
import { invalid, ZgwProblem } from '../zgw-problem.ts';
import type { ZgwResource } from '../zgw-store.ts';
import { createHandler, listHandler, retrieveHandler, updateHandler } from './generic.ts';

const COLLECTION = 'enkelvoudiginformatieobjecten';

function completeDocument(document: ZgwResource, context: ZgwRequestContext): void {
  reference(context, 'informatieobjecttype', document.informatieobjecttype, 'informatieobjecttypen', {
    external: true,
  });
  document.versie = 1;
  document.beginRegistratie = new Date().toISOString();
  document.locked = false;
  document.bestandsdelen = [];
  storeContent(document, 1);
  if (document.identificatie === undefined)
    document.identificatie = `DOCUMENT-${String(context.state.store.count(COLLECTION) + 1).padStart(10, '0')}`;
  delete document.lock;
}

function checkLock(next: ZgwResource, previous: ZgwResource, context: ZgwRequestContext): void {
  const current = context.state.locks.get(previous.url);
  if (current === undefined || next.lock !== current) {
    throw invalid(
      'lock',
      current === undefined ? 'Het document is niet gelockt.' : 'Incorrect lock ID.',
      'incorrect-lock-id',
    );
  }
  delete next.lock;
  next.versie = Number(previous.versie) + 1;
  next.locked = true;
  next.beginRegistratie = new Date().toISOString();
  next.bestandsdelen = previous.bestandsdelen;
  if (next.inhoud === previous.inhoud) next.bestandsomvang = previous.bestandsomvang;
  else storeContent(next, Number(next.versie));
}

/** The base64 `inhoud` a client sent is answered as the download URL of the version (as Open Zaak does). */
function storeContent(document: ZgwResource, versie: number): void {
  if (typeof document.inhoud === 'string' && !document.inhoud.startsWith('http')) {
    document.bestandsomvang = Buffer.from(document.inhoud, 'base64').length;
  }
  if (typeof document.inhoud === 'string' || document.inhoud === undefined) {
    document.inhoud = `${document.url}/download?versie=${versie}`;
  }
}

const options = {
  collection: COLLECTION,
  filter: (items: ZgwResource[], context: ZgwRequestContext) =>
    filterExact(items, context.query, {
      bronorganisatie: (d) => d.bronorganisatie,
      identificatie: (d) => d.identificatie,
    }),
  create: completeDocument,
  update: checkLock,
};

export const documentenHandlers: ZgwHandlers = {
  enkelvoudiginformatieobject_list: listHandler(options),
  enkelvoudiginformatieobject_create: createHandler(options),
  enkelvoudiginformatieobject_retrieve: retrieveHandler(options),
  enkelvoudiginformatieobject_update: updateHandler(options, false),
  enkelvoudiginformatieobject_partial_update: updateHandler(options, true),
  enkelvoudiginformatieobject_lock: (context) => {
    const document = getSelf(
      { ...context, url: new URL(context.url.toString().replace(/\/lock\/?$/, '')) },
      COLLECTION,
    );
    if (context.state.locks.has(document.url))
      throw new ZgwProblem(400, 'existing-lock', 'Het document is al gelockt.', {
        invalidParams: [
          { name: 'nonFieldErrors', code: 'existing-lock', reason: 'Het document is al gelockt.' },
        ],
      });
    const lock = randomUUID().replace(/-/g, '');
    context.state.locks.set(document.url, lock);
    document.locked = true;
    return { status: 200, body: { lock } };
  },
  enkelvoudiginformatieobject_unlock: (context) => {
    const document = getSelf(
      { ...context, url: new URL(context.url.toString().replace(/\/unlock\/?$/, '')) },
      COLLECTION,
    );
    const current = context.state.locks.get(document.url);
    if (current !== undefined && context.body?.lock !== current)
      throw invalid('lock', 'Incorrect lock ID.', 'incorrect-lock-id');
    context.state.locks.delete(document.url);
    document.locked = false;
    return { status: 204 };
  },
  objectinformatieobject_list: listHandler({
    collection: 'objectinformatieobjecten',
    filter: (items, context) =>
      filterExact(items, context.query, {
        object: (o) => o.object,
        informatieobject: (o) => o.informatieobject,
      }),
  }),
  objectinformatieobject_create: createHandler({
    collection: 'objectinformatieobjecten',
    create: (oio, context) => {
      reference(context, 'informatieobject', oio.informatieobject, COLLECTION);
    },
  }),
  objectinformatieobject_retrieve: retrieveHandler({ collection: 'objectinformatieobjecten' }),
};
