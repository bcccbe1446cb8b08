/**
 * Generic handlers of a collection: list (paginated or a plain array, as the operation's answer schema says),
 * create, retrieve, update and partial update, with hooks for the rules of each resource.
 */
import type { ZgwAnswer, ZgwHandler, ZgwRequestContext } from '../zgw-handler.ts';
import { getSelf, newUrl, paginate } from '../zgw-handler.ts';
import type { ZgwResource } from '../zgw-store.ts';

export interface CollectionOptions {
  collection: string;
  /** Filter the list by the query. */
  filter?: (items: ZgwResource[], context: ZgwRequestContext) => ZgwResource[];
  /** Check the body and complete the new resource (throw a ZgwProblem to refuse). */
  create?: (resource: ZgwResource, context: ZgwRequestContext) => void;
  /** Check a change and complete the changed resource. */
  update?: (resource: ZgwResource, previous: ZgwResource, context: ZgwRequestContext) => void;
  /** After a resource was stored. */
  created?: (resource: ZgwResource, context: ZgwRequestContext) => void;
  pageSize?: number;
  /** The URL of a new resource (default `<base>/<collection>/<uuid>`). */
  urlOf?: (context: ZgwRequestContext, uuid: string) => string;
}

function paginated(context: ZgwRequestContext): boolean {
  const text = JSON.stringify(context.operation.responses.get('200')?.schema ?? {});
  return text.includes('Paginated') || text.includes('"results"');
}

export function listHandler(options: CollectionOptions): ZgwHandler {
  return (context) => {
    const all = context.state.store.list(options.collection);
    const items = options.filter ? options.filter(all, context) : all;
    if (paginated(context)) return paginate(context, items, options.pageSize ?? 100);
    return { status: 200, body: items };
  };
}

export function createHandler(options: CollectionOptions): ZgwHandler {
  return (context) => {
    const fresh = newUrl(context, options.collection);
    const uuid = fresh.uuid;
    const url = options.urlOf ? options.urlOf(context, uuid) : fresh.url;
    const resource: ZgwResource = { ...(context.body as object), url, uuid };
    options.create?.(resource, context);
    context.state.store.add(options.collection, resource);
    options.created?.(resource, context);
    return { status: 201, body: resource, headers: { Location: url } };
  };
}

export function retrieveHandler(options: CollectionOptions): ZgwHandler {
  return (context): ZgwAnswer => ({ status: 200, body: getSelf(context, options.collection) });
}

export function updateHandler(options: CollectionOptions, partial: boolean): ZgwHandler {
  return (context) => {
    const existing = getSelf(context, options.collection);
    const previous = structuredClone(existing);
    const next: ZgwResource = partial
      ? { ...existing, ...(context.body as object), url: existing.url }
      : { ...(context.body as object), url: existing.url };
    if ('uuid' in existing) next.uuid = existing.uuid;
    options.update?.(next, previous, context);
    for (const key of Object.keys(existing)) delete existing[key];
    Object.assign(existing, next);
    return { status: 200, body: existing };
  };
}

/** list/create/retrieve/update/partial_update handlers under `<prefix>_<action>`. */
export function crud(
  prefix: string,
  options: CollectionOptions,
  retrieveName = 'retrieve',
): Record<string, ZgwHandler> {
  return {
    [`${prefix}_list`]: listHandler(options),
    [`${prefix}_create`]: createHandler(options),
    [`${prefix}_${retrieveName}`]: retrieveHandler(options),
    [`${prefix}_update`]: updateHandler(options, false),
    [`${prefix}_partial_update`]: updateHandler(options, true),
  };
}
