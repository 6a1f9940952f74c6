#!/usr/bin/env node
/**
 * `resilient-sms`: the command line. Global options --config FILE (or $RESILIENT_SMS_CONFIG), --address,
 * --namespace; the commands come by family from ./messages, ./processes and ./operations. Errors print one
 * clear line and exit non-zero: 3 for what the HTTP API answers 409 (the message has ended; an idempotency key
 * reused for a different request), 4 when `send --wait` saw the message end without reaching the user, 2 for a
 * `routes drain/undrain` target that names nothing in the config or `config check` errors, 1 for anything else (commander's own usage errors keep commander's exit code).
 */
import { Command, CommanderError } from 'commander';
import { IdempotencyConflictError, MessageEndedError } from '../client';
import { BadTargetError } from '../domain/route-targets';
import { readEnvironment, type Environment } from '../config/environment';
import { quietSdkNodeVersionWarning } from '../tools/sdk-node-warning';
import { addInfraCommands } from './infra';
import { addConfigCommands, ConfigErrorsFound } from './config-check';
import { addMessageCommands } from './messages';
import { addOpenApiCommand } from './openapi';
import { addOperationCommands } from './operations';
import { addProcessCommands } from './processes';
import { addPumpingCommands } from './pumping';
import { addRouteCommands } from './routes';
import { addSchemaCommand } from './schema';
import { NOT_DELIVERED_EXIT_CODE, NotDeliveredError } from './send-wait';

// The AWS SDK's Node-version warning, silenced for this process and the stack's children (see the module).
quietSdkNodeVersionWarning();

/** The program; `env` is read once here (or given by a test) and handed to every command. */
export function buildProgram(env: Environment = readEnvironment()): Command {
  const program = new Command('resilient-sms')
    .description('Resilient SMS delivery on Temporal with AWS End User Messaging')
    .option('--config <file>', 'config file (YAML or JSON); default $RESILIENT_SMS_CONFIG')
    .option('--address <host:port>', 'Temporal frontend; default $TEMPORAL_ADDRESS or the config')
    .option('--namespace <name>', 'Temporal namespace; default from the config')
    .showHelpAfterError()
    .exitOverride();
  addMessageCommands(program, env);
  addProcessCommands(program, env);
  addOperationCommands(program, env);
  addRouteCommands(program, env);
  addPumpingCommands(program, env);
  addInfraCommands(program, env);
  addConfigCommands(program, env);
  addOpenApiCommand(program);
  addSchemaCommand(program);
  return program;
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Exit code of a command that failed with `err`: 3 for a conflict (HTTP 409), 4 for a message `send --wait` saw end
 * without reaching the user, 2 for a bad route-health target, else 1.
 */
export const CONFLICT_EXIT_CODE = 3;
/** A route-health target that names nothing in the config (`routes drain <target>`). */
export const BAD_TARGET_EXIT_CODE = 2;
function exitCodeOf(err: unknown): number {
  if (err instanceof BadTargetError) return BAD_TARGET_EXIT_CODE;
  if (err instanceof ConfigErrorsFound) return err.exitCode;
  if (err instanceof NotDeliveredError) return NOT_DELIVERED_EXIT_CODE;
  return err instanceof MessageEndedError || err instanceof IdempotencyConflictError ? CONFLICT_EXIT_CODE : 1;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed the problem
    if (!(err instanceof ConfigErrorsFound)) console.error(`resilient-sms: ${describeError(err)}`);
    return exitCodeOf(err);
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
