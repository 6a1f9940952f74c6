/** `npm run gameday -- --only pumping`: the pumping game day (./pumping.ts), printed as a table or JSON. */
import path from 'node:path';
import type { GamedayOptions } from './options';
import { formatPumpingFigures } from './pumping-figures';
import { runPumpingGameday } from './pumping';

/** Plays it; the exit code: 0 when it ran (a missed target is reported, not fatal), 1 when it could not run. */
export async function runPumpingOnly(o: Partial<GamedayOptions>, json: boolean): Promise<number> {
  const out = o.out ?? path.resolve('bench', 'gameday-pumping.json');
  const report = await runPumpingGameday({ configPath: o.configPath, out, log: o.log });
  process.stdout.write(`${json ? JSON.stringify(report, null, 2) : formatPumpingFigures(report.figures)}\n`);
  process.stdout.write(`report: ${path.relative(process.cwd(), out)}\n`);
  return 0;
}
