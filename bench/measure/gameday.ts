/**
 * 8. The route-health game day (src/gameday, `npm run gameday`) as a phase of the benchmark: played on the
 *    benchmark's own stack (its route-health setting restored at the end), its report in results.json and, whole,
 *    in gameday.json beside it. Run only when named (`--only gameday`): it takes about 20 minutes at full size and
 *    restarts the worker, the ingester and the API.
 */
import path from 'node:path';
import { runGameday, type GamedayReport } from '../../src/gameday/runner';
import type { BenchStack } from '../lib/stack';

export type GamedayResult = Pick<
  GamedayReport,
  'options' | 'setup' | 'phases' | 'targets' | 'invariantsHold' | 'errors'
>;

export async function measureGameday(
  stack: BenchStack,
  opts: { smoke: boolean; out: string },
  log: (line: string) => void,
): Promise<GamedayResult> {
  const report = await runGameday(
    { smoke: opts.smoke, out: path.join(path.dirname(opts.out), 'gameday.json'), log: (l) => log(`  ${l}`) },
    stack.handle,
  );
  const { options, setup, phases, targets, invariantsHold, errors } = report;
  if (errors.length > 0)
    throw new Error(`game day: ${errors.map((e) => `${e.phase}: ${e.error.split('\n')[0]}`).join('; ')}`);
  return { options, setup, phases, targets, invariantsHold, errors };
}
