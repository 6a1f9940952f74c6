/**
 * `resilient-sms report [--since 24h] [--html FILE] [--json]`: the delivery report from Temporal visibility.
 */
import fs from 'node:fs';
import ms from 'ms';
import type { Client } from '@temporalio/client';
import { collectReport } from './collect';
import { renderHtml } from './html';
import type { DeliveryReport } from './model';
import { renderText } from './text';

export { collectReport, reportQuery } from './collect';
export { renderHtml } from './html';
export { renderText } from './text';
export type { DeliveryReport } from './model';

/** `24h`, `7d`, `90m` (ago), or an ISO date. */
export function parseSince(value: string, now = new Date()): Date {
  const duration = ms(value as ms.StringValue) as number | undefined;
  if (typeof duration === 'number' && Number.isFinite(duration) && duration > 0) {
    return new Date(now.getTime() - duration);
  }
  const date = new Date(value);
  if (!Number.isNaN(date.getTime()) && /^\d{4}-\d{2}-\d{2}/.test(value)) return date;
  throw new Error(`--since: expected a duration such as 24h or 7d, or an ISO date; got "${value}"`);
}

export interface ReportCommandOptions {
  since: string;
  html?: string;
  json?: boolean;
  taskQueue?: string;
  limit?: number;
  concurrency?: number;
}

export async function runReport(
  client: Client,
  o: ReportCommandOptions,
  print: (s: string) => void = (s) => console.log(s),
): Promise<DeliveryReport> {
  const report = await collectReport({
    client,
    since: parseSince(o.since),
    taskQueue: o.taskQueue,
    limit: o.limit,
    concurrency: o.concurrency,
  });
  if (o.html) fs.writeFileSync(o.html, renderHtml(report));
  if (o.json) print(JSON.stringify(report, null, 2));
  else {
    print(renderText(report));
    if (o.html) print(`\nHTML report written to ${o.html}`);
  }
  return report;
}
