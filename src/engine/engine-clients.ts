/**
 * The one registry of Camunda clients in a process: one client per configured engine, built from the engine's
 * URL and credentials, shared by the pollers and the engine activities. When the configuration changes, `sync`
 * replaces the client of an engine whose URL or credentials changed (`engineKey`, the one definition of "this
 * engine changed"), drops the clients of removed engines, and keeps the others: a reader that looks a client up
 * by name gets the current one, and no other cache has to decide the same thing with another key.
 */
import type { ResolvedEngine } from '../store/schemas.ts';
import { CamundaClient } from './camunda-client.ts';

/** How the engine activities and the work-unit runner find an engine's client by name. */
export interface EngineClients {
  get(name: string): CamundaClient | undefined;
}

/** What a client is built from: two engines with the same key get equal clients. */
export function engineKey(engine: Pick<ResolvedEngine, 'url' | 'auth'>): string {
  return JSON.stringify([engine.url, engine.auth]);
}

export class EngineClientRegistry implements EngineClients {
  private readonly entries = new Map<string, { key: string; client: CamundaClient }>();
  private readonly create: (engine: ResolvedEngine) => CamundaClient;

  constructor(
    engines: readonly ResolvedEngine[] = [],
    create: (engine: ResolvedEngine) => CamundaClient = (engine) =>
      new CamundaClient({ baseUrl: engine.url, auth: engine.auth }),
  ) {
    this.create = create;
    this.sync(engines);
  }

  /** Brings the clients in line with `engines`: new ones built, changed ones replaced, removed ones dropped. */
  sync(engines: readonly ResolvedEngine[]): void {
    const wanted = new Set(engines.map((engine) => engine.name));
    for (const name of [...this.entries.keys()]) if (!wanted.has(name)) this.entries.delete(name);
    for (const engine of engines) this.clientFor(engine);
  }

  /** The client of `engine` as configured now; built (or rebuilt, when the engine changed) on first use. */
  clientFor(engine: ResolvedEngine): CamundaClient {
    const key = engineKey(engine);
    const entry = this.entries.get(engine.name);
    if (entry?.key === key) return entry.client;
    const client = this.create(engine);
    this.entries.set(engine.name, { key, client });
    return client;
  }

  get(name: string): CamundaClient | undefined {
    return this.entries.get(name)?.client;
  }

  /** The names of the engines that have a client. */
  names(): string[] {
    return [...this.entries.keys()];
  }
}
