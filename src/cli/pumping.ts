/**
 * `resilient-sms pumping` (the SMS pumping guard: blocked and tripped prefixes and countries, sends and RECEIVED of
 * the conversion watch; --json) and `pumping unblock <key>` (a prefix `+4470` or a country `GB`), through
 * src/pumping/operators.ts. The unblock is logged by the pumpingGuard workflow with who asked (`cli:<user>@<host>`).
 */
import type { Command } from 'commander';
import type { Environment } from '../config/environment';
import { guardKeyOf, PumpingOperators, type PumpingAnswer } from '../pumping/operators';
import { globalsOf, withClient } from './connect';
import { cliOperator, formatSince } from './routes';

/** The table `pumping` prints. */
export function formatPumping(answer: PumpingAnswer, now: number): string {
  const enabled = answer.enabled
    ? 'the pumping guard is enabled in this config'
    : 'the pumping guard is disabled in this config (pumping.enabled): messages are not checked';
  if (!answer.running || !answer.view)
    return `the pumping guard has counted nothing yet (no workflow ${answer.workflowId}); ${enabled}`;
  const keys = answer.view.keys;
  if (keys.length === 0) return `nothing blocked, tripped or watched in ${answer.workflowId}; ${enabled}`;
  const header = ['KEY', 'STATE', 'SENDS', 'RECEIVED', 'STOPPED', 'SINCE', 'UNTIL', 'WHY'];
  const rows = keys.map((k) => [
    k.key,
    k.state ?? 'watched',
    String(k.sends),
    String(k.received),
    String(k.stopped),
    k.since ? formatSince(k.since, now) : '',
    k.until ? formatSince(k.until, now) : '',
    k.why ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line), '', `${keys.length} key(s) in ${answer.workflowId}; ${enabled}`].join('\n');
}

export function addPumpingCommands(program: Command, env: Environment): void {
  const pumping = program
    .command('pumping')
    .description('the SMS pumping guard: blocked and tripped prefixes and countries, conversion of one-time passwords')
    .option('--json', 'print the pumpingGuard workflow answer as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withClient(globalsOf(cmd), env, async (client, config) => {
        const answer = await new PumpingOperators({ client: client.temporal, config }).list();
        console.log(o.json ? JSON.stringify(answer, null, 2) : formatPumping(answer, Date.now()));
      });
    });
  pumping
    .command('unblock <key>')
    .description('end a conversion block now (a prefix such as +4470, or a country such as GB)')
    .action(async (key: string, _o: unknown, cmd: Command) => {
      guardKeyOf(key); // a bad key fails before anything connects
      await withClient(globalsOf(cmd), env, async (client, config) => {
        const by = cliOperator();
        const { unblocked } = await new PumpingOperators({ client: client.temporal, config }).unblock(key, by);
        process.stderr.write(
          `${JSON.stringify({ msg: 'pumping unblocked', process: 'cli', key: unblocked.key, by })}\n`,
        );
        console.log(`unblocked ${unblocked.key} (was: ${unblocked.why})`);
      });
    });
}
