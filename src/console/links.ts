/** The console's links to the Temporal UI and to Cockpit, as the commands that serve the console give them. */
import type { ApiDependencies } from '../api/dependencies.ts';
import type { ConfigSnapshot } from '../store/config-store.ts';

/** An engine's Cockpit: its REST URL with `/engine-rest` replaced by Camunda's default webapp path. */
export function cockpitOf(engineUrl: string): string | undefined {
  const match = /^(.*)\/engine-rest\/?$/.exec(engineUrl);
  return match ? `${match[1]}/camunda/app/cockpit/default/` : undefined;
}

export function consoleLinks(options: {
  temporalUi: string | undefined;
  namespace: string;
  current: () => ConfigSnapshot;
}): NonNullable<ApiDependencies['links']> {
  return {
    temporalUi: options.temporalUi,
    namespace: options.namespace,
    cockpit: (name) => {
      const engine = options.current().config.engines.find((e) => e.name === name);
      return engine ? cockpitOf(engine.url) : undefined;
    },
  };
}
