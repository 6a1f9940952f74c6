/**
 * The figures of the pumping game day (./pumping.ts), pure: from the status records of the attack's and the normal
 * traffic's messages, the share of the attack stopped before sending once the guard tripped, the share of normal
 * traffic the guard stopped, and the attack's sends on the secondary account; with the targets.
 */
import type { StatusRecord } from '../domain/status';

export interface PumpingMessage {
  kind: 'attack' | 'normal';
  startedAt: number;
  record?: StatusRecord;
}

export interface PumpingFigures {
  attack: { started: number; ended: number; admitted: number; stoppedByGuard: number };
  /** When the guard first stopped an attack message (epoch ms of its start), if it did. */
  trippedAt?: number;
  /** Attack requests started at or after the trip, and how many of them were stopped before any send. */
  afterTrip: { started: number; stoppedBeforeSend: number; share: number };
  normal: { started: number; ended: number; stoppedByGuard: number; share: number; onSecondary: number };
  /** Sends of attack messages on the secondary account (every attempt, whatever its outcome). */
  attackSendsOnSecondary: number;
  /** Reasons of the guard's stops, counted (`VELOCITY_LIMIT: …`, `PUMPING_BLOCKED: …`, `PUMPING_SPEND_LIMIT: …`). */
  reasons: Record<string, number>;
  targets: { name: string; target: string; value: string; pass: boolean }[];
}

const GUARD_REASONS = /^(VELOCITY_LIMIT|PUMPING_BLOCKED|PUMPING_SPEND_LIMIT):/;

/** Was the message stopped by the guard (before its first send, or instead of another account)? */
export function stoppedByGuard(r: StatusRecord | undefined): boolean {
  return r?.status === 'STOPPED' && GUARD_REASONS.test(r.reason);
}

function beforeSend(r: StatusRecord | undefined): boolean {
  return stoppedByGuard(r) && r!.attempts.length === 0;
}

const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 10_000) / 100);

export function pumpingFigures(messages: PumpingMessage[], secondaryAccount: string): PumpingFigures {
  const attack = messages.filter((m) => m.kind === 'attack');
  const normal = messages.filter((m) => m.kind === 'normal');
  const guarded = attack.filter((m) => beforeSend(m.record)).map((m) => m.startedAt);
  const trippedAt = guarded.length > 0 ? Math.min(...guarded) : undefined;
  const after = trippedAt === undefined ? [] : attack.filter((m) => m.startedAt >= trippedAt);
  const afterStopped = after.filter((m) => beforeSend(m.record)).length;
  const normalStopped = normal.filter((m) => stoppedByGuard(m.record)).length;
  const reasons: Record<string, number> = {};
  for (const m of messages) {
    if (!stoppedByGuard(m.record)) continue;
    const head = m.record!.reason.replace(/ until [^ ]+/, '').slice(0, 120);
    reasons[head] = (reasons[head] ?? 0) + 1;
  }
  const onSecondary = (m: PumpingMessage) => (m.record?.attempts ?? []).filter((a) => a.account === secondaryAccount);
  const attackSendsOnSecondary = attack.reduce((n, m) => n + onSecondary(m).length, 0);
  const afterShare = pct(afterStopped, after.length);
  const normalShare = pct(normalStopped, normal.length);
  return {
    attack: {
      started: attack.length,
      ended: attack.filter((m) => m.record && m.record.status !== 'IN_PROGRESS').length,
      admitted: attack.filter((m) => (m.record?.attempts.length ?? 0) > 0).length,
      stoppedByGuard: attack.filter((m) => stoppedByGuard(m.record)).length,
    },
    trippedAt,
    afterTrip: { started: after.length, stoppedBeforeSend: afterStopped, share: afterShare },
    normal: {
      started: normal.length,
      ended: normal.filter((m) => m.record && m.record.status !== 'IN_PROGRESS').length,
      stoppedByGuard: normalStopped,
      share: normalShare,
      onSecondary: normal.filter((m) => onSecondary(m).length > 0).length,
    },
    attackSendsOnSecondary,
    reasons,
    targets: [
      {
        name: 'attack requests stopped before sending once the guard tripped',
        target: '≥ 95 %',
        value: `${afterShare} % (${afterStopped} of ${after.length})`,
        pass: trippedAt !== undefined && afterShare >= 95,
      },
      {
        name: 'normal traffic stopped by the guard',
        target: '≤ 1 %',
        value: `${normalShare} % (${normalStopped} of ${normal.length})`,
        pass: normal.length > 0 && normalShare <= 1,
      },
      {
        name: 'attack sends on the secondary account',
        target: '0',
        value: String(attackSendsOnSecondary),
        pass: attackSendsOnSecondary === 0,
      },
    ],
  };
}

/** The figures as the table the game day prints. */
export function formatPumpingFigures(f: PumpingFigures): string {
  const lines = [
    `attack: ${f.attack.started} OTP requests to one premium prefix, ${f.attack.admitted} sent, ` +
      `${f.attack.stoppedByGuard} stopped by the guard`,
    `normal: ${f.normal.started} OTP requests with feedback RECEIVED, ${f.normal.stoppedByGuard} stopped by the guard, ` +
      `${f.normal.onSecondary} moved to the secondary account by the spend limit`,
    'stops by reason:',
    ...Object.entries(f.reasons).map(([r, n]) => `  ${String(n).padStart(4)}  ${r}`),
    '',
    ...f.targets.map((t) => `${t.pass ? 'pass' : 'MISS'}  ${t.name}: ${t.value} (target ${t.target})`),
  ];
  return lines.join('\n');
}
