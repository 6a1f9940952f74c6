/**
 * The simulator's MPS limits (docs/pacing.md): End User Messaging throttles each origination identity at its
 * messages-parts-per-second rate ("SMS throughput limits, also referred to as throttling, are measured in Message
 * Parts per Second (MPS)", https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-mps.html) and
 * answers a send over it with `ThrottlingException` (SDK model: @aws-sdk/client-pinpoint-sms-voice-v2
 * ThrottlingException, HTTP 400, `$retryable.throttling`). AWS does not publish its algorithm; the simulator keeps one
 * token bucket per account x Region x originator that holds one second of the originator's MPS (full at start) and
 * refills at the MPS; a send takes as many tokens as its message parts (a body of more parts than the bucket holds
 * goes when the bucket is full, and leaves it in debt). Only with the config's `pacing` section: without it, the
 * local stack's originators are unlimited as they always were (its 1 MPS 10DLC numbers would throttle every chaos run).
 */
import type { Config } from '../domain/config';
import { originatorMps } from '../domain/pacing';
import { AwsError } from './protocol';

interface Bucket {
  mps: number;
  tokens: number;
  at: number;
}

const keyOf = (account: string, region: string, originator: string) => `${account}\u0000${region}\u0000${originator}`;

export class MpsLimits {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    config: Config,
    private readonly now: () => number = Date.now,
  ) {
    const routes = new Map(config.routes.map((r) => [r.id, r]));
    for (const list of Object.values(config.originators)) {
      for (const o of list) {
        const route = routes.get(o.route);
        if (!route) continue;
        const key = keyOf(route.account, route.region, o.identity);
        const mps = Math.min(originatorMps(o), this.buckets.get(key)?.mps ?? Infinity);
        this.buckets.set(key, { mps, tokens: mps, at: this.now() });
      }
    }
  }

  /** The MPS the simulator enforces for an originator; undefined: not in the config, unlimited. */
  mpsOf(account: string, region: string, originator: string): number | undefined {
    return this.buckets.get(keyOf(account, region, originator))?.mps;
  }

  /** Takes `parts` tokens for a send, or throws the ThrottlingException AWS answers when the originator is over. */
  take(account: string, region: string, originator: string, parts: number): void {
    const bucket = this.buckets.get(keyOf(account, region, originator));
    if (!bucket) return;
    const now = this.now();
    bucket.tokens = Math.min(bucket.mps, bucket.tokens + ((now - bucket.at) / 1000) * bucket.mps);
    bucket.at = now;
    if (bucket.tokens < Math.min(parts, bucket.mps)) {
      throw new AwsError(400, 'ThrottlingException', `Rate exceeded: ${originator} sends ${bucket.mps} MPS`);
    }
    bucket.tokens -= parts;
  }
}

/** The simulator's limits for a config: only with its `pacing` section (see above). */
export function mpsLimitsFor(config: Config): MpsLimits | undefined {
  return config.pacing ? new MpsLimits(config) : undefined;
}
