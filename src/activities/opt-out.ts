/**
 * Opt-out list activities over End User Messaging SMS (API reference:
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_Operations.html):
 *
 * - `applyOptOut`: PutOptedOutNumber (opt-out) or DeleteOptedOutNumber (opt-in) on one list of one account x
 *   Region, for the propagation workflow. Both are idempotent here: a Delete of a number that is not on the list
 *   (ResourceNotFoundException, ResourceType `opted-out-number`) is what an opt-in wants, so it succeeds. A list that
 *   does not exist (ResourceType `opt-out-list`) or a request the service calls invalid is non-retryable
 *   (`OptOutListMissing`, `OptOutRequestInvalid`); anything else is thrown for Temporal to retry.
 * - `checkOptOutLists`: DescribeOptedOutNumbers with `OptedOutNumbers: [number]` on each named list of one account x
 *   Region, before a message's first SMS or voice send there (src/workflows/opt-out-check.ts).
 * - `startOptOutPropagation`: signal-with-start of the number's propagation workflow (./opt-out-signal.ts).
 *
 * The client of an account x Region is that of a route of the config in it (its endpoint and credentials). Nothing
 * here logs a phone number.
 */
import {
  DeleteOptedOutNumberCommand,
  DescribeOptedOutNumbersCommand,
  PutOptedOutNumberCommand,
  type PinpointSMSVoiceV2Client,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ApplicationFailure } from '@temporalio/common';
import type { SmsClientRegistry } from '../aws/registries';
import type { Config } from '../domain/config';
import type { OptOutKind, OptOutEvent } from '../workflows/opt-out-definitions';
import { activityLog } from './log';
import { signalOptOut, type OptOutSignalClient } from './opt-out-signal';
import { reasonOf, toSendErrorInfo } from './sdk-errors';

export const OPT_OUT_LIST_MISSING = 'OptOutListMissing';
export const OPT_OUT_REQUEST_INVALID = 'OptOutRequestInvalid';

export interface ApplyOptOutInput {
  account: string;
  region: string;
  list: string;
  number: string;
  kind: OptOutKind;
}

export interface CheckOptOutInput {
  account: string;
  region: string;
  lists: string[];
  number: string;
}

export interface CheckOptOutResult {
  optedOut: boolean;
  /** The first list that has the number. */
  list?: string;
}

export interface StartPropagationInput {
  number: string;
  event: OptOutEvent;
}

export interface OptOutActivityDeps {
  config: Config;
  smsClient: SmsClientRegistry;
  /** Signal-with-start of propagation; absent: `startOptOutPropagation` fails (retried) saying so. */
  temporal?: OptOutSignalClient;
}

const resourceTypeOf = (err: unknown): string | undefined =>
  typeof (err as { ResourceType?: unknown })?.ResourceType === 'string'
    ? (err as { ResourceType: string }).ResourceType
    : undefined;

export function createOptOutActivities(deps: OptOutActivityDeps) {
  function clientOf(account: string, region: string): PinpointSMSVoiceV2Client {
    const route = deps.config.routes.find((r) => r.account === account && r.region === region);
    if (!route) {
      throw ApplicationFailure.nonRetryable(
        `no route of the config is in ${account}/${region}: no End User Messaging client for its opt-out lists`,
        OPT_OUT_REQUEST_INVALID,
      );
    }
    return deps.smsClient({ id: route.id, account, region });
  }

  /** The non-retryable failure of a list error, or undefined when the error is worth retrying. */
  function permanent(err: unknown, input: { account: string; region: string; list: string }) {
    const name = toSendErrorInfo(err).name;
    const where = `${input.account}/${input.region}`;
    if (name === 'ResourceNotFoundException' && resourceTypeOf(err) !== 'opted-out-number') {
      return ApplicationFailure.nonRetryable(
        `opt-out list "${input.list}" does not exist in ${where} (create it, or fix optOuts.lists)`,
        OPT_OUT_LIST_MISSING,
      );
    }
    if (name === 'ValidationException') {
      return ApplicationFailure.nonRetryable(
        `${where} list "${input.list}": ValidationException ${reasonOf(err) ?? ''}`.trim(),
        OPT_OUT_REQUEST_INVALID,
      );
    }
    return undefined;
  }

  async function applyOptOut(input: ApplyOptOutInput): Promise<{ changed: boolean }> {
    const client = clientOf(input.account, input.region);
    const meta = { account: input.account, region: input.region, list: input.list, kind: input.kind };
    const request = { OptOutListName: input.list, OptedOutNumber: input.number };
    try {
      if (input.kind === 'opt-out') await client.send(new PutOptedOutNumberCommand(request));
      else await client.send(new DeleteOptedOutNumberCommand(request));
      activityLog.info('opt-out list updated', meta);
      return { changed: true };
    } catch (err) {
      if (input.kind === 'opt-in' && resourceTypeOf(err) === 'opted-out-number') return { changed: false };
      const failure = permanent(err, input);
      activityLog.warn('opt-out list not updated', { ...meta, error: toSendErrorInfo(err).name, final: !!failure });
      throw failure ?? err;
    }
  }

  async function checkOptOutLists(input: CheckOptOutInput): Promise<CheckOptOutResult> {
    const client = clientOf(input.account, input.region);
    for (const list of input.lists) {
      try {
        const out = await client.send(
          new DescribeOptedOutNumbersCommand({ OptOutListName: list, OptedOutNumbers: [input.number] }),
        );
        if ((out.OptedOutNumbers ?? []).some((n) => n.OptedOutNumber === input.number)) {
          return { optedOut: true, list };
        }
      } catch (err) {
        throw permanent(err, { ...input, list }) ?? err;
      }
    }
    return { optedOut: false };
  }

  async function startOptOutPropagation(input: StartPropagationInput): Promise<void> {
    if (!deps.temporal) throw new Error('this worker has no Temporal client for opt-out propagation');
    await signalOptOut(deps.temporal, deps.config, input.number, input.event);
  }

  return { applyOptOut, checkOptOutLists, startOptOutPropagation };
}

export type OptOutActivities = ReturnType<typeof createOptOutActivities>;
