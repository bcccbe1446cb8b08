/** The work units a worker can run, by name. The configuration may only name units registered here. */
import type { AnyWorkUnit } from './define-work-unit.ts';
import {
  camundaCallActivity,
  camundaCopyVariables,
  camundaSendMessage,
  camundaSetVariables,
  camundaStartProcess,
} from './library/camunda/index.ts';
import { echo } from './library/echo.ts';
import { fail } from './library/fail.ts';
import { httpRequest } from './library/http/index.ts';
import { mailSend } from './library/mail/index.ts';
import { noop } from './library/noop.ts';
import { sleep } from './library/sleep.ts';
import { zgwUnits } from './library/zgw/index.ts';

export class WorkUnitRegistry {
  private readonly units = new Map<string, AnyWorkUnit>();

  constructor(units: Iterable<AnyWorkUnit> = []) {
    for (const unit of units) this.register(unit);
  }

  /** Adds a unit; throws when the name is taken. */
  register(unit: AnyWorkUnit): this {
    if (this.units.has(unit.name)) throw new Error(`work unit '${unit.name}' is registered twice`);
    this.units.set(unit.name, unit);
    return this;
  }

  get(name: string): AnyWorkUnit | undefined {
    return this.units.get(name);
  }

  names(): ReadonlySet<string> {
    return new Set(this.units.keys());
  }

  list(): AnyWorkUnit[] {
    return [...this.units.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The library of work units that ships with BPTL. */
export const builtInWorkUnits: AnyWorkUnit[] = [
  camundaCallActivity,
  camundaCopyVariables,
  camundaSendMessage,
  camundaSetVariables,
  camundaStartProcess,
  echo,
  fail,
  httpRequest,
  mailSend,
  noop,
  sleep,
  ...zgwUnits,
];

/** A registry with the built-in units, plus any of your own. */
export function createRegistry(extra: Iterable<AnyWorkUnit> = []): WorkUnitRegistry {
  return new WorkUnitRegistry([...builtInWorkUnits, ...extra]);
}
