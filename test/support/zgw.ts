/**
 * The loopback ZGW server and a runner for the ZGW units against it: services `zrc`, `ztc`, `drc`, `objects`
 * and `objecttypes` (the aliases the units name) bound to the server's Zaken, Catalogi, Documenten, Objects and
 * Objecttypes base URLs, with
 * the ZGW JWT of client `bptl`, and the outbound policy allowing loopback (as a test must).
 */
import { OutboundPolicy, parseNetworks } from '../../src/http/outbound-policy.ts';
import type { ServiceAuth } from '../../src/store/schemas.ts';
import type { WorkUnit } from '../../src/work-units/define-work-unit.ts';
import { type RunWorkUnitOptions, runWorkUnit } from '../../src/work-units/testing.ts';
import {
  startZgwTestServer,
  type ZgwTestServer,
  type ZgwTestServerOptions,
} from '../../src/zgw/testing/index.ts';

export const ZGW_CLIENT_ID = 'bptl';
export const ZGW_SECRET = 'loopback-zgw-secret';
export const LOOPBACK_POLICY = new OutboundPolicy({ allowedNetworks: parseNetworks('127.0.0.0/8') });

export function startZgw(options: ZgwTestServerOptions = {}): Promise<ZgwTestServer> {
  return startZgwTestServer({ clients: { [ZGW_CLIENT_ID]: ZGW_SECRET }, ...options });
}

/** The services of the ZGW units, on the loopback server, with the given credentials (default: client bptl). */
export function zgwServices(
  server: ZgwTestServer,
  auth: ServiceAuth = { type: 'zgw', clientId: ZGW_CLIENT_ID, secret: ZGW_SECRET },
): Record<string, { baseUrl: string; auth: ServiceAuth }> {
  return {
    zrc: { baseUrl: server.baseUrls.zaken, auth },
    ztc: { baseUrl: server.baseUrls.catalogi, auth },
    drc: { baseUrl: server.baseUrls.documenten, auth },
    objects: { baseUrl: server.baseUrls.objects, auth },
    objecttypes: { baseUrl: server.baseUrls.objecttypes, auth },
  };
}

/** Runs a unit through the real runner against the loopback server (same task id: same idempotency key). */
export function runZgw<I, O>(
  server: ZgwTestServer,
  unit: WorkUnit<I, O>,
  variables: Record<string, unknown>,
  options: RunWorkUnitOptions = {},
) {
  return runWorkUnit(unit, variables, {
    services: zgwServices(server),
    outboundPolicy: LOOPBACK_POLICY,
    ...options,
  });
}
