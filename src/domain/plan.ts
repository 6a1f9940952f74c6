/**
 * The routing plan of one message: its escalation ladder, resolved from the config when the
 * message is accepted and carried in the workflow input, so a config change never alters the
 * commands of a message already in flight. Types here are safe to import from workflow code.
 */
import type { Channel } from './channel';
import type { ChannelSuccessEvent } from './config-policy';
import type { OriginatorType } from './config';
import type { MessageType } from './message';
import type { PumpingSubject } from './pumping';
import type { UnhealthyRungAction } from './route-health';
import type { PlanWebhook } from './webhook';

/** How a rung was reached from the rung before it (what changed), from the least to the most escalated. */
export const ESCALATION_LEVELS = ['initial', 'originator', 'account', 'region', 'channel'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** The more escalated of two levels. */
export function higherLevel(a: EscalationLevel, b: EscalationLevel): EscalationLevel {
  return ESCALATION_LEVELS.indexOf(a) >= ESCALATION_LEVELS.indexOf(b) ? a : b;
}

/**
 * One step of the ladder. SMS and voice rungs are End User Messaging routes (account x Region) with
 * an originator; WhatsApp, email and push rungs name their service's account and Region, and their
 * sender (phone number id, from address, `sns`) as `originator`.
 */
export interface Rung {
  channel: Channel;
  /** Config route id for SMS/voice; `<channel>:<account>/<region>` for the others. */
  routeId: string;
  account: string;
  region: string;
  configurationSet?: string;
  originator: string;
  /** Originator type for SMS/voice (short-code, 10dlc, ...); the channel name for the others. */
  originatorType: OriginatorType | Channel;
  level: EscalationLevel;
  /**
   * With pacing on (SMS rungs): the originator's MPS; the send then waits for a slot on the originator's own task
   * queue (src/domain/pacing.ts). Absent (older plans, pacing off, other channels): sent at once, as before.
   */
  mps?: number;
}

/** A channel the plan left out, and why (shown in the status record). */
export interface SkippedChannel {
  channel: Channel;
  reason: string;
}

export interface QuietHoursRule {
  channels: Channel[];
  /** Minutes of the local day. */
  start: number;
  end: number;
  action: 'wait' | 'skip';
}

/** The policy with every duration already in milliseconds. */
export interface ResolvedPolicy {
  useCase: string;
  success: 'dlr' | 'feedback' | 'dlr-or-feedback';
  /**
   * Which receipt settles a WhatsApp or email attempt. Absent in plans recorded before channel receipts: those
   * attempts succeed on acceptance, as they did then (and every replay stays the same).
   */
  channelSuccess?: { whatsapp: ChannelSuccessEvent; email: ChannelSuccessEvent };
  messageType: MessageType;
  stepWaitMs: number;
  deadlineMs: number;
  ttlSeconds: number;
  /** `MaxPrice` of SMS sends (USD per message part). */
  maxPrice?: string;
  /** `MaxPricePerMinute` of voice sends (USD). */
  maxPricePerMinute?: string;
  /**
   * Set in every plan since voice got its own cap: voice sends `maxPricePerMinute` (or no cap). Absent in plans
   * recorded before, whose voice sends carry `maxPrice` as their per-minute cap, as those releases sent them.
   */
  voicePriceCap?: 'per-minute';
  /** `ProtectConfigurationId` of SMS and voice sends; absent (older plans too): none sent. */
  protectConfigurationId?: string;
  /**
   * The use case's protect configuration by name (`protectConfigurations`): its id in each account × Region
   * (`<account>/<region>`) of the ladder that has one; a rung of another scope sends none. Absent (older plans, no
   * name, no id yet): none sent, as before.
   */
  protectConfigurationIds?: Record<string, string>;
  /** `Keyword` of SMS sends on US short codes; absent (older plans too): none sent. */
  keyword?: string;
  /** `DestinationCountryParameters` that apply to the destination's country; absent (older plans too): none sent. */
  destinationCountryParameters?: Record<string, string>;
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
  channelsAfterOptOut: Channel[];
  quietHours: QuietHoursRule[];
  /** USD; the ladder stops before the known total (from receipts) would exceed it. */
  maxTotalPrice?: number;
  /** Voice to use for voice rungs. */
  voiceId?: string;
  /**
   * Route health is on (src/domain/route-health.ts): before each rung the message reads the shared breaker states
   * and tries open or drained routes last, or skips them. Absent: the ladder is climbed exactly as planned.
   */
  routeHealth?: { unhealthyRungs: UnhealthyRungAction };
  /** With pacing on: the Temporal priority key of paced sends (1 first). Absent: the server's default. */
  priorityKey?: number;
}

/** The `ProtectConfigurationId` of a send on this rung: the policy's one id, else the one of the rung's scope. */
export function protectConfigurationIdOf(
  policy: Pick<ResolvedPolicy, 'protectConfigurationId' | 'protectConfigurationIds'>,
  rung: Pick<Rung, 'account' | 'region'>,
): string | undefined {
  const ids = policy.protectConfigurationIds;
  const key = `${rung.account}/${rung.region}`;
  return policy.protectConfigurationId ?? (ids && Object.hasOwn(ids, key) ? ids[key] : undefined);
}

export interface RoutingPlan {
  country: string;
  /** The recipient's time zone(s): the request's, else every zone of the destination country. */
  timeZones: string[];
  rungs: Rung[];
  skipped: SkippedChannel[];
  policy: ResolvedPolicy;
  /**
   * Opt-out lists (src/domain/opt-out-config.ts), set by resolve when the config has an `optOuts` section: the lists
   * a refusal as opted out is propagated to, and asked before the first SMS or voice send in each account x Region
   * (`checkBeforeSend`). Absent (older histories, no section): neither happens, as before opt-out propagation existed.
   */
  optOuts?: { lists: { account: string; region: string; list: string }[]; checkBeforeSend: boolean };
  /**
   * The status webhook (src/domain/webhook.ts): URL, events, the signing key's id (never the secret). Absent (older
   * histories, no webhook): no notification is started, as before webhooks existed.
   */
  webhook?: PlanWebhook;
  /**
   * The SMS pumping guard (docs/pumping.md), set by resolve when the config's `pumping` section is enabled: what the
   * message is counted under (the number only as a tag). Absent (older histories, no section): no check, as before.
   */
  pumping?: { subject: PumpingSubject };
  /** The WhatsApp template, when the ladder has a WhatsApp rung. */
  whatsapp?: {
    templateName: string;
    templateLanguage: string;
    metaApiVersion: string;
    /** Set only for Meta's authentication (copy-code) template; absent: a standard template, as in older plans. */
    templateKind?: 'authentication';
  };
}

/** Does `b` differ from `a` in originator only, account, or Region? */
export function levelBetween(a: Rung | undefined, b: Rung): EscalationLevel {
  if (!a) return 'initial';
  if (a.channel !== b.channel) return 'channel';
  if (a.region !== b.region) return 'region';
  if (a.account !== b.account) return 'account';
  return 'originator';
}
