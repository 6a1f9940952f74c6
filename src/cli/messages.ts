/**
 * The commands on messages: `send`, `status`, `feedback`, `cancel`. Each connects with the global options and
 * prints one line (or JSON with --json).
 */
import type { Command } from 'commander';
import type { ResilientSmsClient } from '../client';
import type { Environment } from '../config/environment';
import { describeSmsParts } from '../domain/sms-parts';
import type { StatusRecord } from '../domain/status';
import { globalsOf, withClient } from './connect';
import { requireDelivered, waitAndPrint } from './send-wait';

export function printStatus(status: StatusRecord): void {
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

interface SendOptions {
  to: string;
  body: string;
  useCase?: string;
  key?: string;
  email?: string;
  wait?: boolean;
  untilClosed?: boolean;
  progress?: boolean;
  json?: boolean;
}

function addSend(program: Command, env: Environment): void {
  program
    .command('send')
    .description('send a message (idempotent per key)')
    .requiredOption('--to <e164>', 'destination phone number, E.164')
    .requiredOption('--body <text>', 'message text')
    .option('--use-case <name>', 'policy to use (default: the first in the config)')
    .option('--key <key>', 'idempotency key (default: derived from use case, destination and body)')
    .option('--email <address>', 'alternate email contact')
    .option('--wait', 'wait until the message is delivered (or confirmed, or has failed) and say so at once')
    .option('--until-closed', 'wait until the workflow closes (after the feedback window, if the policy has one)')
    .option('--progress', 'print a line per attempt while waiting (default: when stdout is a terminal)')
    .option('--no-progress', 'no progress lines while waiting')
    .option('--json', 'print JSON (with a wait: the status record at the end)')
    .action(async (o: SendOptions, cmd: Command) => {
      await withClient(globalsOf(cmd), env, async (client) => {
        const sent = await client.sendMessage({
          destination: o.to,
          body: o.body,
          useCase: o.useCase,
          idempotencyKey: o.key,
          contacts: o.email ? { email: o.email } : undefined,
        });
        if (o.wait || o.untilClosed) requireDelivered(await waitAndPrint(client, sent, o));
        else if (o.json) console.log(JSON.stringify(sent));
        else
          console.log(
            `${sent.started ? 'started' : 'already exists'}: ${sent.idempotencyKey} (workflow ${sent.workflowId}), ` +
              describeSmsParts(sent.smsParts),
          );
      });
    });
}

/** A `<name> <key>` command run on a connected client. */
function addKeyCommand<O>(
  program: Command,
  env: Environment,
  name: string,
  description: string,
  options: (cmd: Command) => Command,
  run: (client: ResilientSmsClient, key: string, o: O) => Promise<void>,
): void {
  const ref = program
    .command(name)
    .description(description)
    .argument('<key>', 'idempotency key or workflow id (sms:<key>)');
  options(ref).action(async (key: string, o: O, cmd: Command) => {
    await withClient(globalsOf(cmd), env, (client) => run(client, key, o));
  });
}

export function addMessageCommands(program: Command, env: Environment): void {
  addSend(program, env);
  addKeyCommand<{ json?: boolean }>(
    program,
    env,
    'status',
    "print a message's status record",
    (c) => c.option('--json', 'print JSON'),
    async (client, key, o) => {
      const status = await client.getStatus(key);
      if (o.json) console.log(JSON.stringify(status, null, 2));
      else printStatus(status);
    },
  );
  addKeyCommand<{ failed?: boolean }>(
    program,
    env,
    'feedback',
    'record that the user acted on the message (or, with --failed, that it did not arrive)',
    (c) => c.option('--failed', 'the message did not arrive: escalate now'),
    async (client, key, o) => {
      const status = o.failed ? 'FAILED' : 'RECEIVED';
      const message = await client.recordFeedback(key, status);
      console.log(`feedback ${status} recorded for ${message.idempotencyKey}`);
    },
  );
  addKeyCommand<{ reason?: string }>(
    program,
    env,
    'cancel',
    'stop escalating a message',
    (c) => c.option('--reason <text>', 'why'),
    async (client, key, o) => {
      const message = await client.cancel(key, o.reason);
      console.log(`cancel requested for ${message.idempotencyKey}`);
    },
  );
}
