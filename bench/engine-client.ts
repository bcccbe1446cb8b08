/**
 * What one REST call of BPTL's engine client (src/engine/camunda-client.ts) costs BPTL's process in CPU, apart
 * from the engine: `complete` calls against a loopback HTTP server in a child process that answers 204 at once, so
 * that the figure is the client's own (axios, Node's HTTP stack, JSON), not Camunda's.
 *
 *   node bench/engine-client.ts [--n 20000] [--concurrency 10] [--rounds 3]
 *
 * Prints, per round, the CPU (user + system) of this process per call in µs and the calls per second.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { CamundaClient } from '../src/engine/camunda-client.ts';

// Reads every request and answers 204 (complete) or [] (anything else), as fast as it can.
const SERVER = `
const http = require('node:http');
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url.endsWith('/complete')) { res.statusCode = 204; res.end(); }
    else { res.setHeader('content-type', 'application/json'); res.end('[]'); }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const n = Number(values.n);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
    const baseUrl = `http://127.0.0.1:${chunk.toString().trim()}/engine-rest`;
    const client = new CamundaClient({ baseUrl });
    const body = {
      workerId: 'bench',
      variables: { result: { type: 'String', value: 'done' } },
    };
    const run = async (calls: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < calls) {
            next++;
            await client.complete(`task-${next}`, body);
          }
        }),
      );
    };
    await run(Math.min(2_000, n)); // JIT and keep-alive sockets warmed up
    console.log(
      `engine client: ${n} complete calls per round, ${concurrency} at once, Node ${process.version}`,
    );
    for (let round = 1; round <= rounds; round++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await run(n);
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const cpuUs = (used.user + used.system) / n;
      console.log(
        `round ${round}: ${cpuUs.toFixed(1)} µs CPU per call (user ${(used.user / n).toFixed(1)}, system ${(used.system / n).toFixed(1)}), ${Math.round((n / wallMs) * 1000)} calls/s`,
      );
    }
  } finally {
    server.kill();
  }
}

await main();
