/** What a chaos run sends and when it strikes: destinations, the order and marks of the disruptions, the poison. */
import { randomUUID } from 'node:crypto';
import type { ChaosOptions } from './options';

export type DisruptionKind = 'worker' | 'ingester' | 'temporal';

/** US destinations spread over area codes, all valid numbers (555-01xx: fictional, valid per libphonenumber). */
const AREA_CODES = ['206', '212', '303', '312', '404', '415', '425', '503', '617', '702', '713', '808'];

export function destinations(n: number, random: () => number): string[] {
  return Array.from({ length: n }, () => {
    const area = AREA_CODES[Math.floor(random() * AREA_CODES.length)];
    const line = String(Math.floor(random() * 100)).padStart(2, '0');
    return `+1${area}55501${line}`;
  });
}

export interface PlannedDisruption {
  kind: DisruptionKind;
  /** Fraction of the starts after which it happens. */
  mark: number;
}

/** Order and marks (fraction of starts) of the disruptions: kinds interleaved, spread over 0.9 of the start phase. */
export function disruptionPlan(
  o: Pick<ChaosOptions, 'workerKills' | 'ingesterKills' | 'temporalRestarts'>,
): PlannedDisruption[] {
  const left: Record<DisruptionKind, number> = {
    worker: o.workerKills,
    ingester: o.ingesterKills,
    temporal: o.temporalRestarts,
  };
  const kinds: DisruptionKind[] = [];
  while (left.worker + left.ingester + left.temporal > 0) {
    for (const k of ['worker', 'ingester', 'temporal'] as const) {
      if (left[k] > 0) {
        kinds.push(k);
        left[k]--;
      }
    }
  }
  return kinds.map((kind, i) => ({ kind, mark: ((i + 1) / (kinds.length + 1)) * 0.9 }));
}

/** Garbage of several kinds: not JSON, a broken SNS envelope, a receipt without its context, binary-ish text. */
export function poisonBodies(n: number, random: () => number): string[] {
  const kinds = [
    () => 'not json at all',
    () => '{"Type":"Notification","Message":"{oops"}',
    () => JSON.stringify({ eventType: 'TEXT_DELIVERED', messageId: randomUUID() }),
    () => JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ isFinal: 'yes' }) }),
    () => Array.from({ length: 64 }, () => String.fromCharCode(0x20 + Math.floor(random() * 0x5e))).join('') + '\u0000',
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]());
}
