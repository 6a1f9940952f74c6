/**
 * The config's `optOuts` section: which End User Messaging opt-out lists are kept in sync (per account x Region),
 * where two-way SMS inbound messages arrive (SNS topic -> SQS queue per account x Region, read by the ingester), and
 * whether a message checks the lists before its first SMS or voice send in an account x Region.
 *
 * AWS facts (sources in docs/aws-end-user-messaging.md#opt-out-lists): an opt-out list belongs to one account in one
 * Region; every account x Region has a list named `Default`, to which new phone numbers and pools are linked; a send
 * is refused only when the destination is on the list linked to the originator used
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list.html). So this system propagates every
 * opt-out to every list here (src/workflows/opt-out-propagation.ts).
 */
import { z } from 'zod';
import { nameSchema, regionSchema, snsQueueSchema } from './config-base';
import { durationSchema } from './duration';

/**
 * `OptOutListName` of PutOptedOutNumber / DescribeOptedOutNumbers: a name or an ARN, `[A-Za-z0-9_:/-]+`, 1 to 256
 * characters (https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_PutOptedOutNumber.html).
 */
export const optOutListNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_:/-]+$/, 'an opt-out list name or ARN ([A-Za-z0-9_:/-]+)');

/** The list every account x Region has (https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-opt-out-list.html). */
export const DEFAULT_OPT_OUT_LIST = 'Default';

const listsEntrySchema = z
  .object({
    account: nameSchema,
    region: regionSchema,
    names: z.array(optOutListNameSchema).min(1).max(20).default([DEFAULT_OPT_OUT_LIST]),
  })
  .strict();

/**
 * A two-way SMS queue: the phone numbers' or pools' `TwoWayChannelArn` is this SNS topic, and this SQS queue subscribes
 * to it (the same shape as a `dlrQueues` entry).
 */
export const inboundQueueSchema = snsQueueSchema;

export const optOutsSchema = z
  .object({
    /** Lists kept in sync. Default: the `Default` list of every account x Region of `routes`. */
    lists: z.array(listsEntrySchema).optional(),
    /** Two-way SMS inbound queues, one per account x Region at most. */
    inbound: z.array(inboundQueueSchema).default([]),
    /** Ask the account x Region's lists before a message's first SMS or voice send there. */
    checkBeforeSend: z.boolean().default(true),
    /** How long a number's propagation workflow stays open with nothing left to do before it closes. */
    idleClose: durationSchema.default(24 * 3_600_000),
  })
  .strict();

export type OptOutsConfig = z.output<typeof optOutsSchema>;
export type InboundQueueConfig = z.output<typeof inboundQueueSchema>;

/** One opt-out list of one account x Region. */
export interface OptOutTarget {
  account: string;
  region: string;
  list: string;
}

/** What `optOutTargets` needs of the config. */
export interface OptOutConfigView {
  routes: readonly { account: string; region: string }[];
  optOuts?: { lists?: readonly { account: string; region: string; names: readonly string[] }[] };
}

/** Every list kept in sync: the configured ones, else `Default` in every account x Region of the routes. */
export function optOutTargets(config: OptOutConfigView): OptOutTarget[] {
  const out: OptOutTarget[] = [];
  const seen = new Set<string>();
  const add = (account: string, region: string, list: string) => {
    const key = `${account}\u0000${region}\u0000${list}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ account, region, list });
  };
  const lists = config.optOuts?.lists;
  if (lists) for (const e of lists) for (const name of e.names) add(e.account, e.region, name);
  else for (const r of config.routes) add(r.account, r.region, DEFAULT_OPT_OUT_LIST);
  return out;
}

/** Cross-references of the section: known accounts, one inbound queue per account x Region. */
export function checkOptOuts(
  config: { accounts: Record<string, unknown>; optOuts?: OptOutsConfig },
  ctx: z.RefinementCtx,
): void {
  const known = (a: string) => Object.prototype.hasOwnProperty.call(config.accounts, a);
  config.optOuts?.lists?.forEach((e, i) => {
    if (!known(e.account)) {
      ctx.addIssue({
        code: 'custom',
        path: ['optOuts', 'lists', i, 'account'],
        message: `unknown account "${e.account}"`,
      });
    }
  });
  const seen = new Set<string>();
  config.optOuts?.inbound.forEach((q, i) => {
    if (!known(q.account)) {
      ctx.addIssue({
        code: 'custom',
        path: ['optOuts', 'inbound', i, 'account'],
        message: `unknown account "${q.account}"`,
      });
    }
    const key = `${q.account}/${q.region}`;
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['optOuts', 'inbound', i], message: `second inbound queue for ${key}` });
    }
    seen.add(key);
  });
}
