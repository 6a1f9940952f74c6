/**
 * The routing plan of one message: its escalation ladder, resolved from the config when the
 * message is accepted and carried in the workflow input, so a config change never alters the
 * commands of a message already in flight. Types here are safe to import from workflow code.
 */
import type { Channel, OriginatorType } from './config';
import type { MessageType } from './message';

/** How a rung was reached from the rung before it (what changed). */
export type EscalationLevel = 'initial' | 'originator' | 'account' | 'region' | 'channel';

export interface SmsRung {
  channel: 'sms';
  routeId: string;
  account: string;
  region: string;
  configurationSet?: string;
  originator: string;
  originatorType: OriginatorType;
  level: EscalationLevel;
}

export type Rung = SmsRung;

/** The policy with every duration already in milliseconds. */
export interface ResolvedPolicy {
  useCase: string;
  success: 'dlr' | 'feedback' | 'dlr-or-feedback';
  messageType: MessageType;
  stepWaitMs: number;
  deadlineMs: number;
  ttlSeconds: number;
  maxPrice?: string;
  messageFeedback: boolean;
  feedbackGraceMs: number;
  throttleRetries: number;
  throttleBackoffMs: number;
  unreachableRetries: number;
  unreachableBackoffMs: number;
  ambiguousWaitMs: number;
  handsetRetries: number;
  handsetRetryDelayMs: number;
  maxSends: number;
  channels: Channel[];
}

export interface RoutingPlan {
  country: string;
  rungs: Rung[];
  policy: ResolvedPolicy;
}

/** Does `b` differ from `a` in originator only, account, or Region? */
export function levelBetween(a: Rung | undefined, b: Rung): EscalationLevel {
  if (!a) return 'initial';
  if (a.channel !== b.channel) return 'channel';
  if (a.region !== b.region) return 'region';
  if (a.account !== b.account) return 'account';
  return 'originator';
}
