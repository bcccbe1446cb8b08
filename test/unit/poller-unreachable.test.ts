/** A poller whose engine is down keeps trying with back-off, names the engine in its log, and stops on cue. */
import net from 'node:net';
import { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { type TopicConfig, topicConfigSchema } from '../../src/config/topic-config.ts';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { Poller } from '../../src/poller/poller.ts';

/** A port that nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Poller with an unreachable engine', () => {
  it('retries with back-off, logs the URL, and stops at once', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/engine-rest`;
    const lines: string[] = [];
    const poller = new Poller({
      engine: 'down',
      camunda: new CamundaClient({ baseUrl: url }),
      temporal: new Client(), // lazy: never connects, since no task is ever fetched
      topics: [
        { ...topicConfigSchema.parse({ topic: 't', workUnit: 'echo' }), engine: 'down' } as TopicConfig,
      ],
      workerId: 'w',
      taskQueue: 'q',
      workUnitTaskQueue: 'q-units',
      logger: createLogger('poller', { level: 'info', write: (line) => lines.push(line) }),
    });
    poller.start();
    const deadline = Date.now() + 10_000;
    while (poller.stats.fetchErrors < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(poller.stats.fetchErrors).toBeGreaterThanOrEqual(3);
    const warnings = lines.filter((l) => l.includes('fetchAndLock failed'));
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings[0]).toContain(url);
    expect(warnings[0]).toMatch(/retryInMs=\d+/);
    const stopping = Date.now();
    await poller.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
  });
});
