#!/usr/bin/env node
/**
 * `resilient-sms`: the command line, built on the typed client. Every command takes `--config FILE`
 * (or RESILIENT_SMS_CONFIG); errors print one clear line and exit non-zero.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../codec/data-converter';
import { configPathFrom, loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { InvalidInputError } from '../domain/errors';
import type { StatusRecord } from '../domain/status';
import { MessageNotFoundError, ResilientSmsClient } from '.';

interface GlobalOptions {
  config?: string;
  address?: string;
  namespace?: string;
}

class CliError extends Error {}

async function withClient<T>(
  opts: GlobalOptions,
  fn: (client: ResilientSmsClient, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig(configPathFrom(opts.config));
  const address = opts.address ?? process.env.TEMPORAL_ADDRESS ?? config.temporal.address;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (err) {
    throw new CliError(`cannot reach Temporal at ${address}: ${(err as Error).message}`);
  }
  try {
    const temporal = new Client({
      connection,
      namespace: opts.namespace ?? config.temporal.namespace,
      dataConverter: dataConverterFor(config),
    });
    return await fn(new ResilientSmsClient(config, temporal), config);
  } finally {
    await connection.close();
  }
}

function printStatus(status: StatusRecord): void {
  const lines = [
    `${status.idempotencyKey}  ${status.status}  (${status.useCase}, ${status.country}, ${status.destination})`,
    `  ${status.reason}`,
  ];
  for (const a of status.attempts) {
    lines.push(
      `  #${a.attempt} ${a.channel} ${a.level.padEnd(10)} ${a.account}/${a.region} ${a.originator} -> ${a.state} ${a.outcome}` +
        (a.messageId ? ` [${a.messageId}]` : ''),
    );
  }
  if (status.needlessAttempts.length) lines.push(`  needless sends: ${status.needlessAttempts.join(', ')}`);
  console.log(lines.join('\n'));
}

function parsePort(v: string): number {
  const port = Number(v);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('must be a port 1..65535');
  return port;
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('resilient-sms')
    .description('Resilient SMS delivery on Temporal with AWS End User Messaging')
    .option('--config <file>', 'config file (YAML or JSON); default $RESILIENT_SMS_CONFIG')
    .option('--address <host:port>', 'Temporal frontend; default $TEMPORAL_ADDRESS or the config')
    .option('--namespace <name>', 'Temporal namespace; default from the config')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('send')
    .description('send a message (idempotent per key)')
    .requiredOption('--to <e164>', 'destination phone number, E.164')
    .requiredOption('--body <text>', 'message text')
    .option('--use-case <name>', 'policy to use (default: the first in the config)')
    .option('--key <key>', 'idempotency key (default: derived from use case, destination and body)')
    .option('--email <address>', 'alternate email contact')
    .option('--wait', 'wait for the outcome and print it')
    .option('--json', 'print JSON')
    .action(
      async (
        o: { to: string; body: string; useCase?: string; key?: string; email?: string; wait?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        await withClient(cmd.optsWithGlobals<GlobalOptions>(), async (client, config) => {
          const useCase = o.useCase ?? Object.keys(config.policies)[0];
          const sent = await client.sendMessage({
            destination: o.to,
            body: o.body,
            useCase,
            idempotencyKey: o.key,
            contacts: o.email ? { email: o.email } : undefined,
          });
          if (!o.wait) {
            if (o.json) console.log(JSON.stringify(sent));
            else
              console.log(
                `${sent.started ? 'started' : 'already exists'}: ${sent.idempotencyKey} (workflow ${sent.workflowId})`,
              );
            return;
          }
          const outcome = await client.waitForOutcome(sent.idempotencyKey);
          if (o.json) console.log(JSON.stringify(outcome, null, 2));
          else printStatus(outcome);
        });
      },
    );

  program
    .command('status')
    .description("print a message's status record")
    .argument('<key>', 'idempotency key')
    .option('--json', 'print JSON')
    .action(async (key: string, o: { json?: boolean }, cmd: Command) => {
      await withClient(cmd.optsWithGlobals<GlobalOptions>(), async (client) => {
        const status = await client.getStatus(key);
        if (o.json) console.log(JSON.stringify(status, null, 2));
        else printStatus(status);
      });
    });

  program
    .command('feedback')
    .description('record that the user acted on the message (or, with --failed, that it did not arrive)')
    .argument('<key>', 'idempotency key')
    .option('--failed', 'the message did not arrive: escalate now')
    .action(async (key: string, o: { failed?: boolean }, cmd: Command) => {
      await withClient(cmd.optsWithGlobals<GlobalOptions>(), async (client) => {
        await client.recordFeedback(key, o.failed ? 'FAILED' : 'RECEIVED');
        console.log(`feedback ${o.failed ? 'FAILED' : 'RECEIVED'} recorded for ${key}`);
      });
    });

  program
    .command('cancel')
    .description('stop escalating a message')
    .argument('<key>', 'idempotency key')
    .option('--reason <text>', 'why')
    .action(async (key: string, o: { reason?: string }, cmd: Command) => {
      await withClient(cmd.optsWithGlobals<GlobalOptions>(), async (client) => {
        await client.cancel(key, o.reason);
        console.log(`cancel requested for ${key}`);
      });
    });

  program
    .command('worker')
    .description('run a worker (workflows and send activities)')
    .option('--metrics-port <port>', 'Prometheus /metrics port (default $METRICS_PORT; none when unset)', parsePort)
    .action(async (o: { metricsPort?: number }, cmd: Command) => {
      const { runWorker } = await import('../workers/worker');
      await runWorker(cmd.optsWithGlobals<GlobalOptions>().config, { metricsPort: o.metricsPort });
    });

  program
    .command('ingest')
    .description('run the DLR ingester (SQS -> workflow signals)')
    .option('--metrics-port <port>', 'Prometheus /metrics port (default $METRICS_PORT; none when unset)', parsePort)
    .action(async (o: { metricsPort?: number }, cmd: Command) => {
      const { runIngester } = await import('../workers/ingester');
      await runIngester(cmd.optsWithGlobals<GlobalOptions>().config, { metricsPort: o.metricsPort });
    });

  program
    .command('report')
    .description('delivery report from Temporal visibility: rates by route and channel, escalation, time to delivery')
    .option('--since <when>', 'messages started in this window (24h, 7d, 90m) or since an ISO date', '24h')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--json', 'print the report as JSON')
    .option('--task-queue <name>', 'only messages of this task queue')
    .option('--limit <n>', 'read the results of at most n closed messages (counts stay exact)', parseCount, 5000)
    .option('--concurrency <n>', 'results read at once', parseCount, 8)
    .action(
      async (
        o: { since: string; html?: string; json?: boolean; taskQueue?: string; limit: number; concurrency: number },
        cmd: Command,
      ) => {
        const { runReport } = await import('../report');
        await withClient(cmd.optsWithGlobals<GlobalOptions>(), (client) => runReport(client.temporal, o));
      },
    );

  program
    .command('setup')
    .description('register the custom search attributes (SmsStatus, SmsLevel, ...) on a Temporal server; idempotent')
    .action(async (_o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const config = g.config || process.env.RESILIENT_SMS_CONFIG ? loadConfig(configPathFrom(g.config)) : undefined;
      const address = g.address ?? process.env.TEMPORAL_ADDRESS ?? config?.temporal.address ?? '127.0.0.1:7233';
      const namespace = g.namespace ?? config?.temporal.namespace ?? 'default';
      let connection: Connection;
      try {
        connection = await Connection.connect({ address, connectTimeout: 5_000 });
      } catch (err) {
        throw new CliError(`cannot reach Temporal at ${address}: ${(err as Error).message}`);
      }
      try {
        const { ensureSearchAttributes } = await import('../observability/setup');
        const r = await ensureSearchAttributes({ connection, namespace });
        console.log(
          `search attributes on ${address}, namespace ${namespace}: ` +
            (r.added.length ? `added ${r.added.join(', ')}` : 'nothing to add') +
            (r.present.length ? `; already present: ${r.present.join(', ')}` : ''),
        );
      } finally {
        await connection.close();
      }
    });

  program
    .command('api')
    .description('run the HTTP API (POST /v1/messages, GET /v1/messages/{key}, …feedback, …cancel)')
    .option('--host <ip>', 'listen address (default security.api.host)')
    .option('--port <port>', 'listen port (default security.api.port)', parsePort)
    .action(async (o: { host?: string; port?: number }, cmd: Command) => {
      const { runApi } = await import('../api/main');
      await runApi({ configPath: cmd.optsWithGlobals<GlobalOptions>().config, host: o.host, port: o.port });
    });

  program
    .command('codec-server')
    .description('run the codec server (POST …/encode, …/decode) for the Temporal Web UI and CLI')
    .option('--host <ip>', 'listen address (default security.codecServer.host)')
    .option('--port <port>', 'listen port (default security.codecServer.port)', parsePort)
    .action(async (o: { host?: string; port?: number }, cmd: Command) => {
      const { runCodecServer } = await import('../codec/server');
      await runCodecServer({ configPath: cmd.optsWithGlobals<GlobalOptions>().config, host: o.host, port: o.port });
    });

  program
    .command('simulator')
    .description('run the carrier simulator (local End User Messaging SMS endpoint)')
    .option('--port <port>', 'listen port', parsePort)
    .option('--delivery-delay <duration>', 'delay before the final delivery receipt, e.g. 200ms, 2s')
    .action(async (o: { port?: number; deliveryDelay?: string }, cmd: Command) => {
      const { runSimulator } = await import('../simulator/main');
      await runSimulator({
        configPath: cmd.optsWithGlobals<GlobalOptions>().config,
        port: o.port,
        deliveryDelayMs: o.deliveryDelay,
      });
    });

  program
    .command('provision-emulator')
    .description('create the DLR topics, queues and dead-letter queues of the config on an SQS/SNS emulator (demo)')
    .action(async (_o: unknown, cmd: Command) => {
      const config = loadConfig(configPathFrom(cmd.optsWithGlobals<GlobalOptions>().config));
      const { provisionDlrQueues } = await import('../tools/provision-emulator');
      for (const q of await provisionDlrQueues(config)) {
        console.log(
          `${q.account}/${q.region}: ${q.queueUrl} (dead letters: ${q.dlqUrl})${q.topicArn ? ` <- ${q.topicArn}` : ''}`,
        );
      }
    });

  program
    .command('dev')
    .description('start the local stack: Temporal dev server + Web UI, SQS/SNS emulator, simulator, worker, ingester')
    .option('--data <dir>', 'data folder (Temporal database, logs, stack.json)', '.data')
    .addOption(
      new Option('--ports <mode>', 'fixed default ports, or free ones').choices(['fixed', 'auto']).default('fixed'),
    )
    .option('--headless', 'no Web UI')
    .action(async (o: { data: string; ports: 'fixed' | 'auto'; headless?: boolean }, cmd: Command) => {
      const { runLocalStack } = await import('../stack/launcher');
      await runLocalStack({
        configPath: cmd.optsWithGlobals<GlobalOptions>().config,
        dataDir: o.data,
        ports: o.ports,
        ui: !o.headless,
      });
    });

  return program;
}

function describeError(err: unknown): string {
  if (err instanceof InvalidInputError || err instanceof MessageNotFoundError || err instanceof CliError)
    return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed the problem
    console.error(`resilient-sms: ${describeError(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`resilient-sms: ${describeError(err)}`);
      process.exitCode = 1;
    },
  );
}
