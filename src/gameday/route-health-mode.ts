/**
 * Route health off or on for a running local stack: its effective config (`<data>/config.json`, which every child
 * reads at start) gets `routeHealth.enabled` false or true, and only the children that read that section are
 * restarted (SIGTERM; the launcher starts them again and stack.json names the new pids once they are ready): the
 * worker (messages read and report route health there), the ingester and the HTTP API (their config carries the
 * section too). Temporal, the SQS/SNS emulator, the simulator and the codec server keep running.
 */
import fs from 'node:fs';
import { parseConfigText } from '../config/load';
import type { StackChild, StackHandle } from '../stack/handle';
import type { Mode } from './scenarios';

/** The children restarted when route health is switched. */
export const ROUTE_HEALTH_READERS: readonly StackChild[] = ['worker', 'ingester', 'api'];

/** The mode the config file says (no `routeHealth` section: off). */
export function modeOfConfig(configPath: string): Mode {
  const raw = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { routeHealth?: { enabled?: boolean } };
  return raw.routeHealth?.enabled === true ? 'on' : 'off';
}

/** The config text with `routeHealth.enabled` set (the rest of the section kept), validated. */
export function withRouteHealth(text: string, source: string, mode: Mode): string {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const section = (raw.routeHealth as Record<string, unknown> | undefined) ?? {};
  const next = JSON.stringify({ ...raw, routeHealth: { ...section, enabled: mode === 'on' } }, null, 2);
  parseConfigText(next, `${source} with routeHealth.enabled ${mode === 'on'}`); // fails fast, naming the field
  return next;
}

/**
 * Puts the stack in `mode`; restarts the readers only when the config changes. Resolves once each restarted child
 * is ready again, with what was restarted and how long each took.
 */
export async function switchRouteHealth(
  stack: StackHandle,
  mode: Mode,
  log: (line: string) => void,
): Promise<{ child: StackChild; ms: number }[]> {
  const configPath = stack.info.configPath;
  if (modeOfConfig(configPath) === mode) return [];
  fs.writeFileSync(configPath, withRouteHealth(fs.readFileSync(configPath, 'utf8'), configPath, mode));
  const restarted: { child: StackChild; ms: number }[] = [];
  for (const child of ROUTE_HEALTH_READERS) {
    if (stack.readInfo().processes[child] === undefined) continue;
    const { ms } = await stack.kill(child, 'SIGTERM');
    restarted.push({ child, ms });
  }
  log(
    `[gameday] route health ${mode}: restarted ${restarted.map((r) => `${r.child} (${(r.ms / 1000).toFixed(1)} s)`).join(', ')}`,
  );
  return restarted;
}
