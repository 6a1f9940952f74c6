/**
 * The routeHealth workflow's activity: when a key opens or is drained, signal `routeChanged` to the in-flight
 * messages on it so they need not sit out their wait. It lists them through Temporal visibility
 * (`SmsStatus = "IN_PROGRESS" AND SmsRoute = "<account>/<region>"`, src/domain/search-attributes.ts) and signals
 * each, at most `max` (default 1,000), 16 at a time; a message that closed meanwhile is fine, other errors are
 * counted, never thrown. Why list + signal rather than a Temporal batch operation: docs/route-health.md.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RouteHealthEntry } from '../domain/route-health';
import { SMS_COUNTRY, SMS_ROUTE, SMS_STATUS } from '../domain/search-attributes';
import { routeChangedSignal } from '../workflows/route-health-definitions';

export interface WakeMessagesInput {
  key: string;
  entry: RouteHealthEntry;
  /** The config's routes as `account/Region`: a Region key wakes the messages of each route in that Region. */
  routes?: string[];
  /** Only messages of this task queue (the deployment's). */
  taskQueue?: string;
  max?: number;
}

export interface WakeMessagesResult {
  /** The visibility query used; absent when the key names no route. */
  query?: string;
  listed: number;
  signalled: number;
  /** Closed before the signal reached them. */
  gone: number;
  failed: number;
  /** More messages matched than `max`. */
  truncated: boolean;
  note?: string;
}

const DEFAULT_MAX = 1000;
const CONCURRENCY = 16;
const SAFE_VALUE = /^[^"'\\\s]+$/;

function quoted(value: string): string {
  if (!SAFE_VALUE.test(value)) throw new Error(`unsafe value in a visibility query: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

/** The visibility query of the in-flight messages on a key, or a sentence saying why there is none. */
export function wakeQuery(input: Pick<WakeMessagesInput, 'key' | 'routes' | 'taskQueue'>): string | { note: string } {
  const [kind, rest = ''] = input.key.split(/:(.*)/s, 2);
  const clauses = [`${SMS_STATUS.name} = "IN_PROGRESS"`];
  try {
    if (kind === 'region') {
      const routes = (input.routes ?? []).filter((r) => r.endsWith(`/${rest}`));
      if (routes.length === 0) return { note: `no configured route in ${rest}` };
      clauses.push(`${SMS_ROUTE.name} IN (${routes.map(quoted).join(', ')})`);
    } else if (kind === 'route') {
      clauses.push(`${SMS_ROUTE.name} = ${quoted(rest)}`);
    } else if (kind === 'originator') {
      const [account, region, tail = ''] = rest.split('/', 3);
      const country = tail.slice(tail.lastIndexOf('@') + 1);
      clauses.push(`${SMS_ROUTE.name} = ${quoted(`${account}/${region}`)}`);
      if (country !== '*') clauses.push(`${SMS_COUNTRY.name} = ${quoted(country)}`);
    } else {
      return { note: `${input.key} is not a route-health key` };
    }
    if (input.taskQueue) clauses.push(`TaskQueue = ${quoted(input.taskQueue)}`);
  } catch (err) {
    return { note: (err as Error).message };
  }
  return clauses.join(' AND ');
}

export function createRouteHealthActivities(deps: { client: Client }) {
  return {
    async wakeMessagesOnRoute(input: WakeMessagesInput): Promise<WakeMessagesResult> {
      const query = wakeQuery(input);
      const result: WakeMessagesResult = { listed: 0, signalled: 0, gone: 0, failed: 0, truncated: false };
      if (typeof query !== 'string') return { ...result, note: query.note };
      result.query = query;
      const max = input.max ?? DEFAULT_MAX;
      let batch: Promise<void>[] = [];
      for await (const wf of deps.client.workflow.list({ query, pageSize: Math.min(max, 1000) })) {
        if (result.listed >= max) {
          result.truncated = true;
          break;
        }
        result.listed++;
        batch.push(signalOne(deps.client, wf.workflowId, wf.runId, input.entry, result));
        if (batch.length >= CONCURRENCY) {
          await Promise.all(batch);
          batch = [];
        }
      }
      await Promise.all(batch);
      return result;
    },
  };
}

async function signalOne(
  client: Client,
  workflowId: string,
  runId: string,
  entry: RouteHealthEntry,
  result: WakeMessagesResult,
): Promise<void> {
  try {
    await client.workflow.getHandle(workflowId, runId).signal(routeChangedSignal, { entry });
    result.signalled++;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError') result.gone++;
    else result.failed++;
  }
}

export type RouteHealthActivities = ReturnType<typeof createRouteHealthActivities>;
