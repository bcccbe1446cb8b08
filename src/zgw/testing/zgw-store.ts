/**
 * The in-memory resources of the loopback ZGW server, by collection (`zaken`, `statussen`, `zaaktypen`,
 * `enkelvoudiginformatieobjecten`, `objects`, `objecttypes`, ...) and by URL. Handlers change the stored objects
 * in place; tests read them for their assertions (`server.store.count('zaken')`).
 */

/** A stored resource: the JSON the server answers (its `url` included). */
export type ZgwResource = Record<string, unknown> & { url: string };

export class ZgwStore {
  readonly #byUrl = new Map<string, { collection: string; resource: ZgwResource }>();
  readonly #collections = new Map<string, Map<string, ZgwResource>>();

  /** Stores a resource of `collection` under its `url`; returns it. */
  add<T extends ZgwResource>(collection: string, resource: T): T {
    let items = this.#collections.get(collection);
    if (!items) {
      items = new Map();
      this.#collections.set(collection, items);
    }
    items.set(resource.url, resource);
    this.#byUrl.set(resource.url, { collection, resource });
    return resource;
  }

  /** The resource with this URL (of any collection, or of `collection` only). */
  get(url: string, collection?: string): ZgwResource | undefined {
    const found = this.#byUrl.get(url);
    if (!found || (collection !== undefined && found.collection !== collection)) return undefined;
    return found.resource;
  }

  /** The collection a URL's resource is in. */
  collectionOf(url: string): string | undefined {
    return this.#byUrl.get(url)?.collection;
  }

  /** The resources of a collection, oldest first. */
  list(collection: string): ZgwResource[] {
    return [...(this.#collections.get(collection)?.values() ?? [])];
  }

  /** How many resources a collection holds. */
  count(collection: string): number {
    return this.#collections.get(collection)?.size ?? 0;
  }

  /** Removes a resource; whether it was there. */
  delete(url: string): boolean {
    const found = this.#byUrl.get(url);
    if (!found) return false;
    this.#byUrl.delete(url);
    this.#collections.get(found.collection)?.delete(url);
    return true;
  }

  /** The names of the collections that hold something. */
  collections(): string[] {
    return [...this.#collections.keys()];
  }
}
