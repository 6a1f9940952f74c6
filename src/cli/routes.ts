/**
 * `resilient-sms routes` (the keys route health holds: state, condition, why, since, recent counts; --json),
 * `routes drain <target> --reason <text> [--for 30m]` and `routes undrain <target>`, through src/health/operators.ts.
 * A target that names nothing in the config exits 2 with the accepted forms (see src/domain/route-targets.ts).
 * Each change is also written as a JSON log line on stderr (who, what, why): the CLI is the process that made it.
 */
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { ResilientSmsClient } from '../client';
import type { Environment } from '../config/environment';
import type { Config } from '../domain/config';
import { formatDuration } from '../domain/duration';
import { RouteOperators, routeChangeLogLine, type ChangeAnswer, type RoutesAnswer } from '../health/operators';
import type { RouteView } from '../workflows/route-health-definitions';
import { loadConfig } from '../config/load';
import { resolveTarget } from '../domain/route-targets';
import { configPathOf, globalsOf, withClient, type GlobalOptions } from './connect';
import { parseDuration } from './options';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `10:42:07 (3m ago)` in local time; the date too when it is not today. */
export function formatSince(since: number, now: number): string {
  const d = new Date(since);
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  const today = new Date(now).toDateString() === d.toDateString();
  const date = today ? '' : `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} `;
  const age = now - since;
  return `${date}${time} (${age >= 0 ? `${formatDuration(age)} ago` : `in ${formatDuration(-age)}`})`;
}

/** `ok 1 · send-error 14 · probes 2`. */
export function formatRecent(recent: RouteView['recent']): string {
  const parts = [`ok ${recent.ok}`];
  for (const [cls, n] of Object.entries(recent.failures)) if (n) parts.push(`${cls} ${n}`);
  if (recent.probes) parts.push(`probes ${recent.probes}`);
  return parts.join(' · ');
}

function whyOf(v: RouteView, now: number): string {
  if (!v.drain) return v.why;
  const until = v.drain.until === undefined ? '' : ` until ${formatSince(v.drain.until, now)}`;
  return `drained by ${v.drain.by}: ${v.drain.reason}${until}`;
}

/** The table `routes` prints: one row per key, or what is true when there is none. */
export function formatRoutes(answer: RoutesAnswer, now: number): string {
  const enabled = answer.enabled
    ? 'route health is enabled in this config'
    : 'route health is disabled in this config (routeHealth.enabled): messages do not read it';
  if (!answer.running) {
    return `route health has seen nothing yet (no workflow ${answer.workflowId}); ${enabled}`;
  }
  if (answer.routes.length === 0) return `no keys yet in ${answer.workflowId}; ${enabled}`;
  const header = ['KEY', 'STATE', 'CONDITION', 'WHY', 'SINCE', 'RECENT'];
  const rows = answer.routes.map((v) => [
    v.key,
    v.state,
    v.condition,
    whyOf(v, now),
    formatSince(v.since, now),
    formatRecent(v.recent),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    '',
    `${answer.routes.length} key(s) in ${answer.workflowId}; ${enabled}`,
  ].join('\n');
}

function formatChange(what: string, answer: ChangeAnswer, now: number): string {
  const lines = answer.routes.map((v) => `${what} ${v.key}: ${v.condition} — ${whyOf(v, now)}`);
  if (!answer.enabled) lines.push('note: route health is disabled in this config: messages do not read drains');
  return lines.join('\n');
}

/** Who the CLI says made a change: `cli:<user>@<host>`. */
export function cliOperator(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `cli:${user}@${hostname()}`;
}

function operatorsFor(client: ResilientSmsClient, config: Config): RouteOperators {
  return new RouteOperators({
    client: client.temporal,
    config,
    onChange: (change) => process.stderr.write(`${routeChangeLogLine(change, 'cli')}\n`),
  });
}

/** A bad target exits 2 before anything connects to Temporal. */
function checkTarget(g: GlobalOptions, env: Environment, target: string): void {
  resolveTarget(loadConfig(configPathOf(g, env)), target);
}

interface DrainOptions {
  reason: string;
  for?: number;
  json?: boolean;
}

function addDrain(routes: Command, env: Environment): void {
  routes
    .command('drain <target>')
    .description('keep new messages off a route, Region or originator until undrained (or for --for)')
    .requiredOption('--reason <text>', 'why (shown in routes, the Web UI and the logs)')
    .option('--for <duration>', 'undrain on its own after this long (30m, 2h)', parseDuration)
    .option('--json', 'print the keys changed as JSON')
    .action(async (target: string, o: DrainOptions, cmd: Command) => {
      checkTarget(globalsOf(cmd), env, target);
      await withClient(globalsOf(cmd), env, async (client, config) => {
        const answer = await operatorsFor(client, config).drain({
          target,
          reason: o.reason,
          by: cliOperator(),
          forMs: o.for,
        });
        console.log(o.json ? JSON.stringify(answer, null, 2) : formatChange('drained', answer, Date.now()));
      });
    });
}

function addUndrain(routes: Command, env: Environment): void {
  routes
    .command('undrain <target>')
    .description('end a drain (what the breakers say applies again)')
    .option('--json', 'print the keys changed as JSON')
    .action(async (target: string, o: { json?: boolean }, cmd: Command) => {
      checkTarget(globalsOf(cmd), env, target);
      await withClient(globalsOf(cmd), env, async (client, config) => {
        const answer = await operatorsFor(client, config).undrain({ target, by: cliOperator() });
        console.log(o.json ? JSON.stringify(answer, null, 2) : formatChange('undrained', answer, Date.now()));
      });
    });
}

export function addRouteCommands(program: Command, env: Environment): void {
  const routes = program
    .command('routes')
    .description('route health: every route, Region and originator that is not closed, with why and since when')
    .option('--json', 'print the routeHealth workflow answer as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withClient(globalsOf(cmd), env, async (client, config) => {
        const answer = await operatorsFor(client, config).routes();
        console.log(o.json ? JSON.stringify(answer, null, 2) : formatRoutes(answer, Date.now()));
      });
    });
  addDrain(routes, env);
  addUndrain(routes, env);
}
