#!/usr/bin/env node
/**
 * The `bptl` command line: `bptl worker`, `bptl poller`, `bptl dev`. Run it through the `./bptl` wrapper
 * in the project root, which installs what is missing first and runs Node 24.
 */
import { parseArgs } from 'node:util';
import { ConfigError, ensureError } from '../errors.ts';
import { runApi } from './commands/api.ts';
import { runDev } from './commands/dev.ts';
import { runPoller } from './commands/poller.ts';
import { runWorker } from './commands/worker.ts';

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(values: Record<string, string | boolean | undefined>): Promise<void>;
}

const configOption = { config: { type: 'string', short: 'c' } } as const;

const commands: Record<string, Command> = {
  worker: {
    summary: 'run a Temporal worker: the external-task workflows, engine activities and work units',
    usage: `bptl worker [--config FILE]

Runs until SIGINT or SIGTERM; work units in progress get 10 s to finish.
Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, BPTL_TASK_QUEUE, BPTL_WORK_UNIT_TASK_QUEUE, BPTL_CONFIG.`,
    options: configOption,
    run: (v) => runWorker({ configFile: v.config as string | undefined }),
  },
  poller: {
    summary: 'long-poll the configured engines and start one workflow per external task',
    usage: `bptl poller [--config FILE]

One poller per engine in the configuration. The first SIGINT/SIGTERM aborts the long polls and lets starts
in flight finish; a second one exits at once.
Environment: TEMPORAL_ADDRESS, BPTL_WORKER_ID, BPTL_MAX_TASKS, BPTL_ASYNC_RESPONSE_TIMEOUT_MS, BPTL_CONFIG.`,
    options: configOption,
    run: (v) => runPoller({ configFile: v.config as string | undefined }),
  },
  api: {
    summary: 'serve the HTTP API: health, work units, topics, running tasks',
    usage: `bptl api [--config FILE]

Serves on BPTL_API_HOST:BPTL_API_PORT (127.0.0.1:3000). Routes: GET /health, /work-units, /topics, /tasks.`,
    options: configOption,
    run: (v) => runApi({ configFile: v.config as string | undefined }),
  },
  dev: {
    summary: 'start Temporal, Camunda, a worker and a poller locally, and run the demo process',
    usage: `bptl dev [--config FILE] [--no-demo] [--no-servers]

Starts (or reuses) the local Temporal dev server and Camunda engine, a worker and the pollers in this
process, deploys demo/bptl-demo.bpmn and runs one instance through it, prints the URLs, and keeps running
until Ctrl-C, which stops everything it started.
  --no-demo      do not deploy or start the demo process
  --no-servers   do not start Temporal or Camunda; use TEMPORAL_ADDRESS and the configured engines
Environment: BPTL_DATA_DIR (.data), TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), CAMUNDA_PORT (8080).`,
    options: { ...configOption, 'no-demo': { type: 'boolean' }, 'no-servers': { type: 'boolean' } },
    run: (v) =>
      runDev({
        configFile: v.config as string | undefined,
        demo: !v['no-demo'],
        servers: !v['no-servers'],
      }),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `bptl: durable Camunda 7 external tasks on Temporal

Usage: bptl <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run 'bptl <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`bptl: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    console.error(`bptl ${name}: ${ensureError(error).message}\n\nUsage: ${command.usage}`);
    return 2;
  }
  if (values.help) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  await command.run(values);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = ensureError(error);
    console.error(err instanceof ConfigError ? `bptl: ${err.message}` : err);
    process.exitCode = err instanceof ConfigError ? 78 : 1;
  },
);
