/**
 * Programmable faults: what the simulated service or carrier does to the sends a fault matches. Added through
 * `POST /_sim/faults`; the first active fault that matches a send (in creation order) and wins its dice roll
 * applies.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { durationSchema } from '../domain/duration';
import { InvalidInputError, parseOrThrow } from '../domain/errors';
import { FINAL_EVENTS, TEXT_FINAL_EVENTS, VOICE_FINAL_EVENTS, type FinalEventType } from './events';
import { AwsError, SEND_OPERATIONS, type SendOperation } from './protocol';

/** Operations a fault can apply to: the SMS v2 sends, End User Messaging Social's `SendWhatsAppMessage`, SES v2 `SendEmail`. */
export const FAULT_OPERATIONS = [...SEND_OPERATIONS, 'SendWhatsAppMessage', 'SendEmail'] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

export const API_EFFECTS = [
  'throttle',
  'internal-error',
  'timeout',
  'spend-limit',
  'account-disabled',
  'opted-out',
  'country-blocked',
  'ambiguous',
] as const;
export type ApiEffect = (typeof API_EFFECTS)[number];

/** Faults are added by hand or by test scripts; more than this is a runaway script. */
export const MAX_FAULTS = 1_000;

const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export const faultMatchSchema = z
  .object({
    region: z.string().regex(regionPattern, 'must be an AWS Region such as us-east-1').optional(),
    /** Account name from the config (`accounts` key). */
    account: z.string().min(1).optional(),
    /** The `OriginationIdentity` exactly as sent (pool id, phone number, sender id or ARN). */
    originator: z.string().min(1).optional(),
    /** Only this operation (default: every send, WhatsApp included for API effects). */
    operation: z.enum(FAULT_OPERATIONS).optional(),
    /** E.164 prefix of the destination, e.g. `+44` or `+1206`. */
    destinationPrefix: z
      .string()
      .regex(/^\+\d{0,15}$/, 'must be "+" followed by digits, e.g. "+44"')
      .optional(),
  })
  .strict();

export const faultEffectSchema = z
  .object({
    api: z.enum(API_EFFECTS).optional(),
    dlr: z.enum([...FINAL_EVENTS, 'none']).optional(),
    /** When the final event (or, for `none`, nothing) happens; default the simulator's delivery delay. */
    delayMs: durationSchema.optional(),
  })
  .strict()
  .superRefine((effect, ctx) => {
    if ((effect.api === undefined) === (effect.dlr === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must have exactly one of "api" or "dlr"' });
    }
    if (effect.api !== undefined && effect.delayMs !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['delayMs'], message: 'only applies to a "dlr" effect' });
    }
  });

export const faultSpecSchema = z
  .object({
    match: faultMatchSchema.default({}),
    effect: faultEffectSchema,
    /** Chance that a matching send is affected (0..1, default 1). */
    probability: z.number().min(0).max(1).default(1),
    /** Affects at most this many sends, then expires. Default: until deleted. */
    count: z.number().int().positive().optional(),
    /** Expires this long after it was added (a game day's safety net should its driver die). Default: until deleted. */
    forMs: durationSchema.optional(),
  })
  .strict();

export type FaultSpecInput = z.input<typeof faultSpecSchema>;
export type FaultMatch = z.output<typeof faultMatchSchema>;

export type FaultEffect =
  | { api: ApiEffect }
  | {
      dlr: FinalEventType | 'none';
      delayMs?: number;
    };

export interface Fault {
  id: string;
  match: FaultMatch;
  effect: FaultEffect;
  probability: number;
  count?: number;
  /** Sends it may still affect (only with `count`). */
  remaining?: number;
  /** Sends it has affected so far. */
  applied: number;
  createdAt: string;
  /** When it expires on its own (with `forMs`). */
  expiresAt?: string;
}

export interface SendAttempt {
  operation: FaultOperation;
  account?: string;
  region: string;
  originator: string;
  destination: string;
  /**
   * The destination is one of AWS's simulator numbers (src/domain/simulator-numbers.ts): its messages never reach a
   * carrier, so DLR faults (what a carrier does) do not apply to it; API faults (what the service does) do.
   */
  simulatorDestination?: boolean;
}

function effectAppliesTo(effect: FaultEffect, operation: FaultOperation): boolean {
  // Only API effects apply to WhatsApp (its statuses follow acceptance, or a Meta refusal: ./whatsapp-statuses.ts).
  if (operation === 'SendWhatsAppMessage' || operation === 'SendEmail') return 'api' in effect;
  if ('api' in effect || effect.dlr === 'none') return true;
  const list: readonly string[] = operation === 'SendTextMessage' ? TEXT_FINAL_EVENTS : VOICE_FINAL_EVENTS;
  return list.includes(effect.dlr);
}

function matches(m: FaultMatch, send: SendAttempt): boolean {
  return (
    (m.operation === undefined || m.operation === send.operation) &&
    (m.region === undefined || m.region === send.region) &&
    (m.account === undefined || m.account === send.account) &&
    (m.originator === undefined || m.originator === send.originator) &&
    (m.destinationPrefix === undefined || send.destination.startsWith(m.destinationPrefix))
  );
}

export class FaultStore {
  private faults: Fault[] = [];

  constructor(
    private readonly accounts: readonly string[],
    private readonly random: () => number,
  ) {}

  /** Validates a fault body (throws `InvalidInputError` naming the field) and adds it at the end. */
  add(input: unknown, now = new Date()): Fault {
    const spec = parseOrThrow(faultSpecSchema, input, 'fault');
    this.expire(now.getTime());
    if (this.faults.length >= MAX_FAULTS) {
      throw new InvalidInputError('fault', [{ path: '', message: `at most ${MAX_FAULTS} faults; delete some first` }]);
    }
    if (spec.match.account !== undefined && !this.accounts.includes(spec.match.account)) {
      throw new InvalidInputError('fault', [
        {
          path: 'match.account',
          message: `unknown account "${spec.match.account}" (config accounts: ${this.accounts.join(', ')})`,
        },
      ]);
    }
    const effect: FaultEffect =
      spec.effect.api !== undefined
        ? { api: spec.effect.api }
        : { dlr: spec.effect.dlr!, ...(spec.effect.delayMs !== undefined ? { delayMs: spec.effect.delayMs } : {}) };
    const fault: Fault = {
      id: randomUUID(),
      match: spec.match,
      effect,
      probability: spec.probability,
      ...(spec.count !== undefined ? { count: spec.count, remaining: spec.count } : {}),
      applied: 0,
      createdAt: now.toISOString(),
      ...(spec.forMs !== undefined ? { expiresAt: new Date(now.getTime() + spec.forMs).toISOString() } : {}),
    };
    this.faults.push(fault);
    return fault;
  }

  /** Forgets the faults whose `forMs` has run out. */
  private expire(now: number): void {
    this.faults = this.faults.filter((f) => f.expiresAt === undefined || Date.parse(f.expiresAt) > now);
  }

  list(now = Date.now()): Fault[] {
    this.expire(now);
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    return n;
  }

  get size(): number {
    this.expire(Date.now());
    return this.faults.length;
  }

  /**
   * The fault of a whole account x Region (its match names nothing narrower than account and Region) that the
   * service's other operations (the opt-out list operations) suffer too: `internal-error` and `throttle` only, the
   * effects of an outage or overload rather than of one message. A fault with a `count` is aimed at that many sends
   * and is left to them; neither its count nor `applied` changes here.
   */
  serviceFault(account: string, region: string, now = Date.now()): Fault | undefined {
    this.expire(now);
    return this.faults.find((fault) => {
      const m = fault.match;
      if (!('api' in fault.effect) || (fault.effect.api !== 'internal-error' && fault.effect.api !== 'throttle')) {
        return false;
      }
      if (fault.count !== undefined) return false;
      if (m.originator !== undefined || m.operation !== undefined || m.destinationPrefix !== undefined) return false;
      if ((m.region !== undefined && m.region !== region) || (m.account !== undefined && m.account !== account)) {
        return false;
      }
      return fault.probability >= 1 || this.random() < fault.probability;
    });
  }

  /**
   * The fault that applies to this send, if any, with its count consumed. Faults are tried in creation order; one
   * that matches but loses its dice roll lets the next one try. A fault whose count or time runs out is removed.
   */
  take(send: SendAttempt, now = Date.now()): Fault | undefined {
    this.expire(now);
    for (const fault of this.faults) {
      if (!effectAppliesTo(fault.effect, send.operation) || !matches(fault.match, send)) continue;
      if (send.simulatorDestination && 'dlr' in fault.effect) continue;
      if (fault.probability < 1 && !(this.random() < fault.probability)) continue;
      fault.applied += 1;
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.remove(fault.id);
      }
      return { ...fault };
    }
    return undefined;
  }
}

/** The service error an API fault answers with (`timeout` and `ambiguous` have none: they are about the socket). */
export function apiFaultError(effect: ApiEffect, operation: SendOperation): AwsError | undefined {
  switch (effect) {
    case 'throttle':
      return new AwsError(400, 'ThrottlingException', 'Rate exceeded');
    case 'internal-error':
      return new AwsError(500, 'InternalServerException', 'Internal server error (simulated)');
    case 'spend-limit':
      return new AwsError(
        400,
        'ServiceQuotaExceededException',
        'You have reached your monthly spend limit',
        operation === 'SendVoiceMessage'
          ? 'MONTHLY_SPEND_LIMIT_REACHED_FOR_VOICE'
          : 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
      );
    case 'account-disabled':
      return new AwsError(400, 'AccessDeniedException', 'The account is disabled', 'ACCOUNT_DISABLED');
    case 'opted-out':
      return new AwsError(
        400,
        'ConflictException',
        'The destination phone number has opted out',
        'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        { ResourceType: 'opted-out-number' },
      );
    case 'country-blocked':
      return new AwsError(
        400,
        'ValidationException',
        'Sending to the destination country is blocked',
        'DESTINATION_COUNTRY_BLOCKED',
      );
    case 'timeout':
    case 'ambiguous':
      return undefined;
  }
}
