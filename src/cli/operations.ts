/**
 * The one-shot operations: `report` (delivery report from visibility), `setup` (search attributes on a Temporal
 * server), `provision-emulator` (DLR queues on an SQS/SNS emulator, for the demo).
 */
import type { Command } from 'commander';
import type { Environment } from '../config/environment';
import { loadConfig } from '../config/load';
import { plainSettings } from '../temporal/settings';
import { addressOverride, configPathOf, globalsOf, settingsOf, withClient, withConnection } from './connect';
import { parseCount } from './options';

interface ReportOptions {
  since: string;
  html?: string;
  json?: boolean;
  taskQueue?: string;
  limit: number;
  concurrency: number;
}

function addReport(program: Command, env: Environment): void {
  program
    .command('report')
    .description('delivery report from Temporal visibility: rates by route and channel, escalation, time to delivery')
    .option('--since <when>', 'messages started in this window (24h, 7d, 90m) or since an ISO date', '24h')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--json', 'print the report as JSON')
    .option('--task-queue <name>', 'only messages of this task queue')
    .option('--limit <n>', 'read the results of at most n closed messages (counts stay exact)', parseCount, 5000)
    .option('--concurrency <n>', 'results read at once', parseCount, 8)
    .action(async (o: ReportOptions, cmd: Command) => {
      const { runReport } = await import('../report');
      await withClient(globalsOf(cmd), env, (client) => runReport(client.temporal, o));
    });
}

function addSetup(program: Command, env: Environment): void {
  program
    .command('setup')
    .description('register the custom search attributes (SmsStatus, SmsLevel, ...) on a Temporal server; idempotent')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      // The config is optional here: docker-compose runs `setup` with --address and --namespace only.
      const config = g.config || env.configPath ? loadConfig(configPathOf(g, env)) : undefined;
      const settings = config
        ? settingsOf(g, env, config)
        : plainSettings(addressOverride(g, env) ?? '127.0.0.1:7233', g.namespace ?? 'default');
      const { address, namespace } = settings;
      const { ensureSearchAttributes } = await import('../observability/setup');
      const r = await withConnection(settings, (connection) => ensureSearchAttributes({ connection, namespace }));
      console.log(
        `search attributes on ${address}, namespace ${namespace}: ` +
          (r.added.length ? `added ${r.added.join(', ')}` : 'nothing to add') +
          (r.present.length ? `; already present: ${r.present.join(', ')}` : ''),
      );
    });
}

function addProvisionEmulator(program: Command, env: Environment): void {
  program
    .command('provision-emulator')
    .description(
      'create the DLR and two-way SMS topics, queues and dead-letter queues of the config on an SQS/SNS emulator (demo)',
    )
    .action(async (_o: unknown, cmd: Command) => {
      const config = loadConfig(configPathOf(globalsOf(cmd), env));
      const { provisionDlrQueues, provisionInboundQueues } = await import('../tools/provision-emulator');
      for (const q of [...(await provisionDlrQueues(config)), ...(await provisionInboundQueues(config))]) {
        console.log(
          `${q.account}/${q.region}: ${q.queueUrl} (dead letters: ${q.dlqUrl})${q.topicArn ? ` <- ${q.topicArn}` : ''}`,
        );
      }
    });
}

export function addOperationCommands(program: Command, env: Environment): void {
  addReport(program, env);
  addSetup(program, env);
  addProvisionEmulator(program, env);
}
