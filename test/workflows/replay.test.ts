/**
 * Replays committed workflow histories (test/workflows/histories/*.json, recorded by the workflow tests with
 * BPTL_RECORD_HISTORIES=1) against the current workflow code. A failure here means a change would break
 * workflows that are running in production: version it with `patched()` instead.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { createAesGcmCodec } from '../../src/codec/aes-gcm-codec.ts';
import { CodecKey } from '../../src/codec/codec-keys.ts';
import { codecDataConverter } from '../../src/codec/data-converter.ts';
import { historiesDir } from '../support/paths.ts';
import { silentLogger, workflowBundle } from './workflow-env.ts';

const histories = readdirSync(historiesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

function load(file: string) {
  return JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'));
}

describe('replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(histories).toEqual(
      expect.arrayContaining([
        'completed.json',
        'failed.json',
        'bpmn-error.json',
        'abandoned.json',
        'retried.json',
      ]),
    );
  });

  it.each(histories)('%s replays against the current workflow', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, load(file)),
    ).resolves.toBeUndefined();
  });

  it('catches an incompatible change (a reordered workflow fails to replay)', async () => {
    const reordered = path.join(import.meta.dirname, 'fixtures', 'reordered-workflow.ts');
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: await bundleWorkflowCode({ workflowsPath: reordered, logger: silentLogger }) },
        load('completed.json'),
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('histories recorded before the payload codec (plain payloads) still replay and decode with it', async () => {
    const keys = [new CodecKey('current', randomBytes(32))];
    const history = load('completed.json');
    await expect(
      Worker.runReplayHistory(
        {
          workflowBundle: await workflowBundle(),
          replayName: 'plain-with-codec',
          dataConverter: codecDataConverter(keys),
        },
        history,
      ),
    ).resolves.toBeUndefined();
    const json = history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
    const plain = {
      metadata: { encoding: Buffer.from(json.metadata.encoding, 'base64') },
      data: Buffer.from(json.data, 'base64'),
    };
    const [decoded] = await createAesGcmCodec(keys).decode([plain]);
    expect(decoded).toBe(plain);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toMatchObject({ engine: 'test' });
  });
});
