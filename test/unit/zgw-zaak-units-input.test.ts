/**
 * The ZGW zaak units before they call anything: the registry lists them with their service aliases, variables
 * that do not fit fail at once naming the variable, and the cases that need no call (an empty omschrijving or
 * waarde) complete without one. The calls themselves are tested against the loopback ZGW server
 * (src/zgw/testing) once the client is there.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundPolicy, parseNetworks } from '../../src/http/outbound-policy.ts';
import type { AnyWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { daysBefore, today } from '../../src/work-units/library/zgw/zaken/dates.ts';
import {
  zgwCreateResultaat,
  zgwCreateRol,
  zgwCreateStatus,
  zgwCreateZaak,
  zgwGetZaakobjecten,
  zgwRelateZaken,
  zgwSetZaakeigenschap,
  zgwZaakUnits,
} from '../../src/work-units/library/zgw/zaken/index.ts';
import { lastSegment, sameUrl } from '../../src/work-units/library/zgw/zaken/urls.ts';
import { createRegistry } from '../../src/work-units/registry.ts';
import { type RunWorkUnitOptions, runWorkUnit } from '../../src/work-units/testing.ts';

/** A loopback server that records what reaches it: these tests expect nothing to. */
const received: IncomingMessage[] = [];
const server = createServer((req, res) => {
  received.push(req);
  res.writeHead(500).end();
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function options(): RunWorkUnitOptions {
  const auth = { type: 'zgw' as const, clientId: 'bptl-test', secret: 'bptl-test-secret' };
  return {
    services: {
      zrc: { baseUrl: `${base}/zaken/api/v1`, auth },
      ztc: { baseUrl: `${base}/catalogi/api/v1`, auth },
    },
    outboundPolicy: new OutboundPolicy({ allowedNetworks: parseNetworks('127.0.0.0/8') }),
  };
}

const run = (unit: AnyWorkUnit, variables: Record<string, unknown>) =>
  runWorkUnit(unit, variables, options());

describe('the zaak units', () => {
  it('are registered with the services they call', () => {
    const registry = createRegistry();
    const names = zgwZaakUnits.map((u) => u.name);
    expect(names).toEqual([
      'zgw-create-zaak',
      'zgw-close-zaak',
      'zgw-lookup-zaak',
      'zgw-create-status',
      'zgw-create-resultaat',
      'zgw-create-rol',
      'zgw-set-zaakeigenschap',
      'zgw-relate-zaken',
      'zgw-get-zaak-relations',
      'zgw-get-zaakobjecten',
      'zgw-create-zaakobject',
    ]);
    for (const unit of zgwZaakUnits) {
      expect(registry.get(unit.name)).toBe(unit);
      expect(unit.services).toContain('zrc');
    }
    expect(zgwCreateZaak.services).toEqual(['zrc', 'ztc']);
  });

  it('fail at once naming the variables that do not fit', async () => {
    const zaak = await run(zgwCreateZaak, { organisatieRSIN: '12345', startdatum: '4 december' });
    expect(zaak).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    if (zaak.outcome === 'failed') {
      expect(zaak.message).toContain('organisatieRSIN');
      expect(zaak.message).toContain('startdatum');
    }
    const relate = await run(zgwRelateZaken, {
      hoofdZaakUrl: `${base}/zaken/api/v1/zaken/a`,
      zaakUrl: `${base}/zaken/api/v1/zaken/b`,
      aardRelatie: 'familie',
    });
    expect(relate).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    if (relate.outcome === 'failed') expect(relate.message).toContain('aardRelatie');
    const rol = await run(zgwCreateRol, {
      zaakUrl: `${base}/zaken/api/v1/zaken/a`,
      omschrijving: 'Initiator',
      betrokkene: { betrokkeneType: 'huisdier' },
    });
    expect(rol).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    if (rol.outcome === 'failed') expect(rol.message).toContain('betrokkene');
    expect(received).toHaveLength(0);
  });

  it('name the variable when neither of two alternatives is given', async () => {
    const zaakUrl = `${base}/zaken/api/v1/zaken/a`;
    const status = await run(zgwCreateStatus, { zaakUrl });
    expect(status).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (status.outcome === 'failed') expect(status.message).toContain('statustype');
    const resultaat = await run(zgwCreateResultaat, { zaakUrl });
    expect(resultaat).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (resultaat.outcome === 'failed') expect(resultaat.message).toContain('resultaattype');
    const objecten = await run(zgwGetZaakobjecten, {});
    expect(objecten).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (objecten.outcome === 'failed') expect(objecten.message).toContain('zaakUrl');
    const zaak = await run(zgwCreateZaak, { organisatieRSIN: '002220647', zaaktypeIdentificatie: 'ZT-1' });
    expect(zaak).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (zaak.outcome === 'failed') expect(zaak.message).toContain('catalogusDomein');
    expect(received).toHaveLength(0);
  });

  it('do nothing, as BPTL, for an empty rol omschrijving or eigenschap waarde', async () => {
    const zaakUrl = `${base}/zaken/api/v1/zaken/a`;
    const rol = await run(zgwCreateRol, {
      zaakUrl,
      omschrijving: '',
      betrokkene: { betrokkeneType: 'medewerker' },
    });
    expect(rol).toMatchObject({ outcome: 'completed', output: { rolUrl: null } });
    const eigenschap = await run(zgwSetZaakeigenschap, {
      zaakUrl,
      eigenschap: { naam: 'kenmerk', waarde: '' },
    });
    expect(eigenschap).toMatchObject({ outcome: 'completed', output: { zaakeigenschapUrl: null } });
    expect(received).toHaveLength(0);
  });
});

describe('dates and URLs', () => {
  it("takes today's date in Amsterdam, and counts days back over month ends", () => {
    expect(today(new Date('2026-12-04T23:30:00Z'))).toBe('2026-12-05');
    expect(today(new Date('2026-07-01T21:59:00Z'))).toBe('2026-07-01');
    expect(daysBefore('2026-03-01', 1)).toBe('2026-02-28');
    expect(daysBefore('2026-01-15', 31)).toBe('2025-12-15');
  });

  it('compares resource URLs without a trailing slash or host case, and takes the uuid', () => {
    expect(sameUrl('http://Host/zaken/1/', 'http://host/zaken/1')).toBe(true);
    expect(sameUrl('http://host/zaken/1', 'http://host/zaken/2')).toBe(false);
    expect(sameUrl(undefined, 'http://host/zaken/1')).toBe(false);
    expect(lastSegment('http://host/api/v1/zaken/abc/?x=1')).toBe('abc');
  });
});
