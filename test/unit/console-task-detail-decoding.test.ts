/**
 * The console's task detail decodes each work-unit attempt's result and failure details (through the client's
 * data converter, so the payload codec) into its outbound requests and lock, and counts the workflow's keepLock
 * calls (activities and local-activity markers) with the runners' renewals; a payload it cannot decode is said.
 */
import {
  defaultFailureConverter,
  defaultPayloadConverter,
  type LoadedDataConverter,
} from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { createAesGcmCodec } from '../../src/codec/aes-gcm-codec.ts';
import { deriveCodecKey } from '../../src/codec/codec-keys.ts';
import { taskDetailPage } from '../../src/console/pages/task-detail.ts';
import { decodedActivitiesOf, type TaskDetail } from '../../src/console/task-detail.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;

const key = deriveCodecKey(Buffer.alloc(32, 7), 'k1');
const plain: LoadedDataConverter = {
  payloadConverter: defaultPayloadConverter,
  failureConverter: defaultFailureConverter,
  payloadCodecs: [],
};
const withKey: LoadedDataConverter = { ...plain, payloadCodecs: [createAesGcmCodec([key])] };
const withoutKey: LoadedDataConverter = { ...plain, payloadCodecs: [createAesGcmCodec([])] };

const request = {
  method: 'GET',
  origin: 'http://127.0.0.1:9',
  path: '/zaken',
  status: 200,
  durationMs: 4,
  at: 1_000,
};
const lock = { status: 'extended', expiresAtMs: Date.UTC(2026, 0, 1), renewals: 3 };

async function payloads(value: unknown, converter: LoadedDataConverter): Promise<Payload[]> {
  let encoded = [converter.payloadConverter.toPayload(value)];
  for (const codec of converter.payloadCodecs) encoded = await codec.encode(encoded);
  return encoded;
}

const t = (s: number) => ({ seconds: s, nanos: 0 });

/** A run: a failed attempt, a keepLock activity, a local keepLock marker, a completed attempt. */
async function history(converter: LoadedDataConverter): Promise<HistoryEvent[]> {
  const marker = (type: string, result: unknown) => ({
    markerName: 'core_local_activity',
    details: {
      data: {
        payloads: [
          {
            metadata: { encoding: new TextEncoder().encode('json/plain') },
            data: new TextEncoder().encode(JSON.stringify({ seq: 3, activity_type: type })),
          },
        ],
      },
      result: { payloads: [defaultPayloadConverter.toPayload(result)] },
    },
  });
  const events: unknown[] = [
    {
      eventId: 5,
      eventTime: t(10),
      activityTaskScheduledEventAttributes: { activityId: '1', activityType: { name: 'runWorkUnit' } },
    },
    {
      eventId: 7,
      eventTime: t(11),
      activityTaskFailedEventAttributes: {
        scheduledEventId: 5,
        failure: {
          message: 'boom',
          applicationFailureInfo: {
            type: 'RetryableError',
            details: {
              payloads: await payloads(
                { attempt: 1, requests: [{ ...request, status: 500 }], lock },
                converter,
              ),
            },
          },
        },
      },
    },
    {
      eventId: 9,
      eventTime: t(12),
      activityTaskScheduledEventAttributes: { activityId: '2', activityType: { name: 'keepLock' } },
    },
    {
      eventId: 11,
      eventTime: t(13),
      activityTaskCompletedEventAttributes: {
        scheduledEventId: 9,
        result: { payloads: await payloads({ status: 'relocked' }, converter) },
      },
    },
    {
      eventId: 12,
      eventTime: t(14),
      markerRecordedEventAttributes: marker('keepLock', { status: 'extended' }),
    },
    { eventId: 13, eventTime: t(15), markerRecordedEventAttributes: marker('completeTask', undefined) },
    {
      eventId: 15,
      eventTime: t(20),
      activityTaskScheduledEventAttributes: { activityId: '3', activityType: { name: 'runWorkUnit' } },
    },
    {
      eventId: 17,
      eventTime: t(21),
      activityTaskCompletedEventAttributes: {
        scheduledEventId: 15,
        result: {
          payloads: await payloads(
            {
              outcome: 'completed',
              variables: {},
              requests: [request],
              requestsDropped: 2,
              lock: { ...lock, renewals: 1 },
            },
            converter,
          ),
        },
      },
    },
  ];
  return events as HistoryEvent[];
}

/** The task detail page of a closed task with these decoded activities. */
function pageOf(decoded: Pick<TaskDetail, 'activities' | 'localActivities' | 'lockRenewals'>): string {
  return String(
    taskDetailPage(
      { principal: { name: 'ada', role: 'admin' }, csrf: 'x' } as never,
      {
        workflowId: 'camunda/e/t',
        runId: 'r',
        status: 'COMPLETED',
        startTime: new Date(0),
        closeTime: undefined,
        attributes: {},
        state: undefined,
        ...decoded,
        pending: [],
        engineTask: undefined,
        historyError: undefined,
      },
      { temporalRun: undefined, cockpitInstance: undefined },
    ),
  );
}

describe('the task detail decodes its attempts’ payloads', () => {
  for (const [name, converter] of [
    ['plain', plain],
    ['encrypted', withKey],
  ] as const) {
    it(`reads requests, lock and keepLock calls (${name} payloads)`, async () => {
      const { activities, localActivities, lockRenewals } = await decodedActivitiesOf(
        await history(converter),
        converter,
      );
      expect(localActivities).toBe(2);
      const [failed, keepLock, completed] = activities;
      expect(failed).toMatchObject({
        type: 'runWorkUnit',
        result: 'failed',
        requests: [{ ...request, status: 500 }],
      });
      expect(failed?.lock).toEqual({
        status: 'extended',
        renewals: 3,
        expiresAt: new Date(lock.expiresAtMs),
      });
      expect(keepLock).toMatchObject({ type: 'keepLock', keepLock: 'relocked' });
      expect(completed).toMatchObject({
        result: 'completed',
        requests: [request],
        requestsDropped: 2,
        lock: { renewals: 1 },
      });
      expect(lockRenewals).toEqual({
        byRunner: 4,
        keepLock: [
          { at: new Date(13_000), status: 'relocked', local: false },
          { at: new Date(14_000), status: 'extended', local: true },
        ],
        undecoded: 0,
      });
    });
  }

  it('says when a payload cannot be decoded (no key), and the page shows it', async () => {
    const { activities, localActivities, lockRenewals } = await decodedActivitiesOf(
      await history(withKey),
      withoutKey,
    );
    expect(activities[0]?.payloadError).toMatch(/key/i);
    expect(activities[0]?.requests).toBeUndefined();
    expect(lockRenewals.undecoded).toBe(3);
    const markup = pageOf({ activities, localActivities, lockRenewals });
    expect(markup).toContain('could not be decoded');
    expect(markup).toContain('3 payloads could not be decoded');
  });

  it('the page shows each attempt’s requests, its lock line and the renewals', async () => {
    const { activities, localActivities, lockRenewals } = await decodedActivitiesOf(
      await history(plain),
      plain,
    );
    const markup = pageOf({ activities, localActivities, lockRenewals });
    expect(markup).toContain('Outbound requests');
    expect(markup).toContain('http://127.0.0.1:9');
    expect(markup).toContain('<code>/zaken</code>');
    expect(markup).toContain('renewed 3 times by the runner');
    expect(markup).toContain('And 2 more requests, not kept.');
    expect(markup).toMatch(/Total<\/th><td><strong>6<\/strong>/);
  });

  it('does not say "no requests" of an attempt that timed out (its requests are not known)', async () => {
    const { activities, localActivities, lockRenewals } = await decodedActivitiesOf(
      await history(plain),
      plain,
    );
    const timedOut = activities.map((a) => {
      if (a.type !== 'runWorkUnit') return a;
      const { requests: _, ...rest } = a;
      return { ...rest, result: 'timed-out' };
    });
    const markup = pageOf({ activities: timedOut, localActivities, lockRenewals });
    expect(markup).toContain('Outbound requests not known: a timed-out attempt');
    expect(markup).not.toContain('No outbound requests recorded');
  });
});
