/**
 * The part every alternate-channel send shares (WhatsApp, email, push): resolve the client of the target, call the
 * service once, and turn any failure into the non-retryable `SendFailure` carrying its `ClassifiedFailure` - the
 * same contract as `sendSms`. What settles the attempt after acceptance (a receipt, or the acceptance itself) is the
 * workflow's business: src/domain/channel-receipts.ts.
 */
import type { ClassifiedFailure, SendErrorInfo } from '../domain/outcome';
import type { ChannelTarget, SendResult } from '../domain/sending';
import { channelNotConfigured } from '../aws/not-served';
import type { ChannelClientResolver } from '../aws/registries';
import { toChannelErrorInfo, type ChannelSecrets } from './channel-errors';
import { activityLog } from './log';
import { sendFailure } from '../domain/sending';
import { sendOnce } from './send-once';

export interface ChannelSendSpec<C> {
  target: ChannelTarget;
  workflowId: string;
  attempt: number;
  resolver: ChannelClientResolver<C> | undefined;
  /** One call to the service; resolves with its message id (undefined when the answer had none). */
  send: (client: C) => Promise<string | undefined>;
  classify: (err: SendErrorInfo) => ClassifiedFailure;
  secrets: ChannelSecrets;
  /** Log label, e.g. `WhatsApp`. */
  label: string;
  now: () => number;
  /** Extra, non-personal log fields (originator, configuration set). */
  meta?: Record<string, unknown>;
}

export async function runChannelSend<C>(spec: ChannelSendSpec<C>): Promise<SendResult> {
  const { target, label } = spec;
  const meta = {
    channel: target.channel,
    account: target.account,
    region: target.region,
    workflowId: spec.workflowId,
    attempt: spec.attempt,
    ...spec.meta,
  };
  if (!spec.resolver) {
    const classified = channelNotConfigured(target, 'is not configured on this worker (config channels section)');
    activityLog.error(`${label} send failed: channel not configured`, meta);
    throw sendFailure(classified);
  }
  const client = spec.resolver(target);
  return sendOnce({
    label: spec.label,
    meta,
    call: () => spec.send(client),
    toInfo: (err) => toChannelErrorInfo(err, spec.secrets),
    classify: spec.classify,
    now: spec.now,
  });
}
