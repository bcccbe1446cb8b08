#!/usr/bin/env node
/**
 * The `bptl` command line: `bptl run`, `worker`, `poller`, `api`, `topics`, `work-units`, `secrets`, `dev`. Run it through the `./bptl` wrapper
 * in the project root, which installs what is missing first and runs Node 24.
 */
import { parseArgs } from 'node:util';
import { ConfigError, ensureError } from '../errors.ts';
import { runApi } from './commands/api.ts';
import { runDev } from './commands/dev.ts';
import { runPoller } from './commands/poller.ts';
import { runCombined } from './commands/run.ts';
import { runSecrets } from './commands/secrets.ts';
import { runTopics } from './commands/topics.ts';
import { runWorkUnits } from './commands/work-units.ts';
import { runWorker } from './commands/worker.ts';

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  /** Whether the command takes positional arguments. */
  positionals?: boolean;
  /** Resolves to the exit code, when it is a number (else 0). */
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<unknown>;
}

const configOption = { config: { type: 'string', short: 'c' } } as const;

const commands: Record<string, Command> = {
  run: {
    summary: 'run a worker and the pollers in one process (the usual deployment; starts workflows eagerly)',
    usage: `bptl run [--config FILE]

A worker (bptl worker) and the pollers (bptl poller) in one process: the pollers start workflows eagerly on the
worker's connection, so each task's first workflow task comes back with the start call, and the process holds
one runtime instead of two. Scale by running more of them, each with its own BPTL_WORKER_ID. The first
SIGINT/SIGTERM stops the pollers (no new task is fetched), then the worker; a second one exits at once.
Environment: everything of bptl worker and bptl poller.`,
    options: configOption,
    run: (v) => runCombined({ configFile: v.config as string | undefined }),
  },
  worker: {
    summary: 'run a Temporal worker: the external-task workflows, engine activities and work units',
    usage: `bptl worker [--config FILE]

Runs until SIGINT or SIGTERM; work units in progress get 10 s to finish. Engines come from the configuration
store (followed live), or from FILE with --config FILE or BPTL_CONFIG.
Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, BPTL_TASK_QUEUE, BPTL_WORK_UNIT_TASK_QUEUE, DATABASE_URL,
BPTL_SECRET_KEY, BPTL_CONFIG.`,
    options: configOption,
    run: (v) => runWorker({ configFile: v.config as string | undefined }),
  },
  poller: {
    summary: 'long-poll the configured engines and start one workflow per external task',
    usage: `bptl poller [--config FILE]

One poller per engine. Engines and topics come from the configuration store, whose changes reach the pollers
within about a second; or from FILE with --config FILE or BPTL_CONFIG (static). The first SIGINT/SIGTERM aborts
the long polls and lets starts in flight finish; a second one exits at once.
Environment: TEMPORAL_ADDRESS, BPTL_WORKER_ID, BPTL_MAX_TASKS, BPTL_ASYNC_RESPONSE_TIMEOUT_MS, DATABASE_URL,
BPTL_SECRET_KEY, BPTL_CONFIG.`,
    options: configOption,
    run: (v) => runPoller({ configFile: v.config as string | undefined }),
  },
  api: {
    summary: 'serve the HTTP API: topics, engines, services, work units, tasks, audit log',
    usage: `bptl api [--config FILE]

Serves on BPTL_API_HOST:BPTL_API_PORT (127.0.0.1:3000) the configuration store (DATABASE_URL, or PGlite in
BPTL_DATA_DIR) with bearer tokens from BPTL_API_TOKENS (admin writes, viewer reads). With --config FILE (or
BPTL_CONFIG) it serves the file's engines and topics read-only. Docs: GET /docs, GET /openapi.json.
Environment: BPTL_API_TOKENS, BPTL_SECRET_KEY, DATABASE_URL, TEMPORAL_ADDRESS, BPTL_TASK_QUEUE.`,
    options: configOption,
    run: (v) => runApi({ configFile: v.config as string | undefined }),
  },
  topics: {
    summary: 'list, get, apply (from YAML) and delete topics over the API',
    usage: `bptl topics list [--engine NAME] [--json]
       bptl topics get ENGINE/TOPIC [--json]
       bptl topics apply -f FILE [--dry-run] [--prune]
       bptl topics delete ENGINE/TOPIC

Talks to a running BPTL API (bptl api, bptl dev). apply creates or updates each topic of FILE (YAML or JSON:
a 'topics' list as in bptl.config.yaml; a topic without 'engine' belongs to the only engine) and prints what
changed; --prune also deletes the topics of those engines that FILE does not list; --dry-run changes nothing.
get prints a topic in that shape. Exit code 1 when a topic failed.
Environment: BPTL_API_URL (http://127.0.0.1:3000), BPTL_API_TOKEN (an admin token for apply and delete).`,
    options: {
      file: { type: 'string', short: 'f' },
      engine: { type: 'string' },
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      prune: { type: 'boolean' },
    },
    positionals: true,
    run: (v, positionals) =>
      runTopics({
        action: positionals[0],
        args: positionals.slice(1),
        file: v.file as string | undefined,
        engine: v.engine as string | undefined,
        json: v.json as boolean | undefined,
        dryRun: v['dry-run'] as boolean | undefined,
        prune: v.prune as boolean | undefined,
      }),
  },
  'work-units': {
    summary: 'list the work units: description, service aliases, input and output schemas',
    usage: `bptl work-units [NAME] [--json]

Lists the work units this BPTL registers (the ones a topic may name), or only NAME: each with its description,
the service aliases a topic must bind, and its input and output variables. --json prints the input and output
as JSON Schemas, as GET /work-units answers them. Exit code 1 when there is no unit NAME.`,
    options: { json: { type: 'boolean' } },
    positionals: true,
    run: (v, positionals) => runWorkUnits({ name: positionals[0], json: v.json as boolean | undefined }),
  },
  secrets: {
    summary: 're-encrypt the stored secrets under the current BPTL_SECRET_KEY (after a key rotation)',
    usage: `bptl secrets rotate [--dry-run]

Re-encrypts every secret of the configuration store (engine auth, service auth, per-application credentials)
under BPTL_SECRET_KEY, in one transaction: those still under a key of BPTL_SECRET_KEY_PREVIOUS, and those of the
format before v2 (not bound to their row and field). Prints each secret as re-encrypted, current or not
decryptable (with the reason, never the value), then the totals; --dry-run only says what it would do. Exit code
1 when a secret could not be decrypted: enter it again (or add its key to BPTL_SECRET_KEY_PREVIOUS) before the
old key goes. See docs/operations.md, "Rotating BPTL_SECRET_KEY".
Environment: BPTL_SECRET_KEY, BPTL_SECRET_KEY_PREVIOUS, DATABASE_URL, BPTL_DATA_DIR (for the store of bptl dev:
BPTL_DEV_INSECURE_SECRET_KEY=1 unless it runs with a BPTL_SECRET_KEY).`,
    options: { 'dry-run': { type: 'boolean' } },
    positionals: true,
    run: (v, positionals) =>
      runSecrets({ action: positionals[0], dryRun: v['dry-run'] as boolean | undefined }),
  },
  dev: {
    summary: 'start Temporal, Camunda, a worker and a poller locally, and run the demo process',
    usage: `bptl dev [--config FILE] [--no-demo] [--no-servers]

Starts (or reuses) the local Temporal dev server and Camunda engine, a worker, the pollers and the API in this
process, deploys demo/bptl-demo.bpmn and runs one instance through it, prints the URLs and an admin API token,
and keeps running until Ctrl-C, which stops everything it started. Configuration: the store in
BPTL_DATA_DIR/bptl-db (bptl.config.yaml is imported into it while it has no engine), or FILE with --config.
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
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: command.positionals ?? false,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (error) {
    console.error(`bptl ${name}: ${ensureError(error).message}\n\nUsage: ${command.usage}`);
    return 2;
  }
  if (values.help) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  const code = await command.run(values, positionals);
  return typeof code === 'number' ? code : 0;
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
