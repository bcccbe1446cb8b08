/**
 * The Objects API 2.7.0 (objects: list with `type`, `data_attr`/`data_attrs` and `data_icontains`, create,
 * read, update, partial update, `POST /objects/search`) and the Objecttypes API 2.2.2 (objecttypes and their
 * versions, read only) of the loopback ZGW server.
 */
import type { ZgwHandlers, ZgwRequestContext } from '../zgw-handler.ts';
import { getSelf, paginate, reference, today } from '../zgw-handler.ts';
import { invalid } from '../zgw-problem.ts';
import type { ZgwResource } from '../zgw-store.ts';
import { createHandler, listHandler, retrieveHandler, updateHandler } from './generic.ts';

function valueAt(data: unknown, path: string[]): unknown {
  let node = data;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Whether `data` meets one `key__operator__value` expression. */
export function matchesDataAttr(data: unknown, expression: string, field: string): boolean {
  const parts = expression.split('__');
  if (parts.length < 3)
    throw invalid(field, `Ongeldige expressie ${expression}: verwacht key__operator__value.`);
  const value = parts.pop()!;
  const operator = parts.pop()!;
  const actual = valueAt(data, parts);
  const asList = Array.isArray(actual) ? actual : [actual];
  const number = (v: unknown) => (typeof v === 'number' ? v : Number(v));
  const numeric = !Number.isNaN(Number(value)) && value.trim() !== '';
  switch (operator) {
    case 'exact':
      return asList.some((item) => String(item) === value);
    case 'icontains':
      return (
        asList.some((item) =>
          String(item ?? '')
            .toLowerCase()
            .includes(value.toLowerCase()),
        ) ||
        (Array.isArray(actual) && JSON.stringify(actual).toLowerCase().includes(value.toLowerCase()))
      );
    case 'in':
      return asList.some((item) => value.split('|').includes(String(item)));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (actual === undefined || actual === null) return false;
      const [a, b] = numeric ? [number(actual), Number(value)] : [String(actual), value];
      return operator === 'gt' ? a > b : operator === 'gte' ? a >= b : operator === 'lt' ? a < b : a <= b;
    }
    default:
      throw invalid(field, `Onbekende operator ${operator}.`);
  }
}

function filterObjects(
  items: ZgwResource[],
  filters: { type?: string | null; dataAttr: string[]; dataAttrs?: string | null; icontains?: string | null },
): ZgwResource[] {
  let out = items;
  if (filters.type) out = out.filter((o) => o.type === filters.type);
  const expressions: [string, string][] = filters.dataAttr.map((e) => [e, 'data_attr']);
  if (filters.dataAttrs) for (const e of filters.dataAttrs.split(',')) expressions.push([e, 'data_attrs']);
  for (const [expression, field] of expressions) {
    out = out.filter((o) => matchesDataAttr((o.record as { data?: unknown }).data, expression, field));
  }
  if (filters.icontains) {
    const needle = filters.icontains.toLowerCase();
    out = out.filter((o) =>
      JSON.stringify((o.record as { data?: unknown }).data ?? {})
        .toLowerCase()
        .includes(needle),
    );
  }
  return out;
}

function completeObject(object: ZgwResource, context: ZgwRequestContext): void {
  reference(context, 'type', object.type, 'objecttypes', { external: true });
  const record = { ...(object.record as Record<string, unknown>) };
  object.record = {
    ...record,
    index: 1,
    registrationAt: today(),
    endAt: null,
    geometry: record.geometry ?? null,
    references: record.references ?? [],
    correctionFor: record.correctionFor ?? null,
  };
}

function updateObject(next: ZgwResource, previous: ZgwResource): void {
  next.uuid = previous.uuid;
  const before = previous.record as Record<string, unknown>;
  const record = { ...before, ...(next.record as Record<string, unknown>) };
  next.record = {
    ...record,
    index: Number(before.index) + 1,
    registrationAt: today(),
    endAt: null,
  };
  if (next.type !== previous.type) throw invalid('type', 'Het objecttype mag niet gewijzigd worden.');
}

const options = {
  collection: 'objects',
  pageSize: 100,
  filter: (items: ZgwResource[], context: ZgwRequestContext) =>
    filterObjects(items, {
      type: context.query.get('type'),
      dataAttr: context.query.getAll('data_attr'),
      dataAttrs: context.query.get('data_attrs'),
      icontains: context.query.get('data_icontains'),
    }),
  create: completeObject,
  update: updateObject,
};

export const objectsHandlers: ZgwHandlers = {
  object_list: listHandler(options),
  object_create: createHandler(options),
  object_read: retrieveHandler(options),
  object_update: updateHandler(options, false),
  object_partial_update: updateHandler(options, true),
  object_search: (context) => {
    const body = (context.body ?? {}) as Record<string, unknown>;
    const dataAttr =
      body.data_attr === undefined
        ? []
        : Array.isArray(body.data_attr)
          ? body.data_attr.map(String)
          : [String(body.data_attr)];
    const items = filterObjects(context.state.store.list('objects'), {
      type: typeof body.type === 'string' ? body.type : null,
      dataAttr,
      dataAttrs: typeof body.data_attrs === 'string' ? body.data_attrs : null,
      icontains: typeof body.data_icontains === 'string' ? body.data_icontains : null,
    });
    return paginate(context, items, 100);
  },
};

export const objecttypesHandlers: ZgwHandlers = {
  objecttype_list: listHandler({ collection: 'objecttypes' }),
  objecttype_read: retrieveHandler({ collection: 'objecttypes' }),
  objectversion_list: listHandler({
    collection: 'objecttypeversions',
    filter: (items, context) => {
      const url = `${context.state.baseUrls.objecttypes}/objecttypes/${context.params.objecttype_uuid}`;
      return items.filter((item) => item.objectType === url);
    },
  }),
  objectversion_read: (context) => ({ status: 200, body: getSelf(context, 'objecttypeversions') }),
};
