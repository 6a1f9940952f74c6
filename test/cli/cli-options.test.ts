import type { Command } from 'commander';
import { buildProgram } from '../../src/client/cli';

/** Parses `args` with the named subcommand made to throw instead of exiting; resolves to the error message. */
async function parseError(args: string[]): Promise<string> {
  const program = buildProgram();
  const quiet = (c: Command) =>
    c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  quiet(program);
  for (const c of program.commands) quiet(c);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`parsing ${args.join(' ')} did not fail`);
}

describe('CLI options', () => {
  it.each([
    [['api', '--port', 'abc']],
    [['codec-server', '--port', '70000']],
    [['simulator', '--port', '0']],
    [['worker', '--metrics-port', '12.5']],
  ])('refuses a port that is not one, naming the option: %j', async (args) => {
    const message = await parseError(args);
    expect(message).toMatch(/--(metrics-)?port/);
    expect(message).toContain('must be a port 1..65535');
  });
});
