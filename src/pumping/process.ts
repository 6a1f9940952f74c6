/**
 * The process side of the SMS pumping guard, for a worker (docs/pumping.md#process-side), built like route health's
 * (src/health/): the `checkPumping` local activity answers from this process's ledger (./ledger.ts); every
 * `flushInterval` the counts made since go to the pumpingGuard workflow in one `pumpingCounts` signal (with start, on
 * the deployment's shared-state task queue, src/domain/shared-state.ts);
 * every `refreshInterval` the `pumpingSnapshot` query refreshes the ledger's copy; the `pumping.received` sink takes
 * feedback RECEIVED. Nothing here throws into the worker: a failed flush keeps its counts for the next one, a failed
 * refresh keeps the last snapshot, each logged once at warn and at info when it works again.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import type { InjectedSinks } from '@temporalio/worker';
import { hostname } from 'node:os';
import type { Config } from '../domain/config';
import { SHARED_STATE_PRIORITY } from '../domain/pacing';
import { sharedStateTaskQueue } from '../domain/shared-state';
import { isCountKey, countKeysOf, type PumpingSubject } from '../domain/pumping';
import { pumpingSchema } from '../domain/pumping-config';
import type { HealthLog } from '../health/log';
import type { RouteHealthClient } from '../health/signal';
import {
  PUMPING_GUARD_WORKFLOW_TYPE,
  pumpingCountsSignal,
  pumpingGuardWorkflowId,
  pumpingSnapshotQuery,
  type CheckPumping,
  type CheckPumpingInput,
  type PumpingBatch,
  type PumpingGuardInput,
  type PumpingSinks,
  type PumpingSnapshot,
  type PumpingVerdict,
} from '../workflows/pumping-definitions';
import { PumpingLedger } from './ledger';

/** The pumpingGuard workflow's input from the config: its limits and conversion watch. */
export function pumpingGuardInput(config: Pick<Config, 'pumping'>): PumpingGuardInput {
  const section = pumpingSchema.parse(config.pumping ?? {});
  return { config: { velocity: section.velocity, ...(section.conversion ? { conversion: section.conversion } : {}) } };
}

/** Checks the local activity's input: a subject whose keys have the guard's shapes. */
export function checkedInput(input: unknown): CheckPumpingInput {
  const i = input as Partial<CheckPumpingInput> | null;
  const s = i?.subject as Partial<PumpingSubject> | undefined;
  const fail = (why: string) => ApplicationFailure.nonRetryable(`checkPumping: ${why}`, 'InvalidCheckPumpingInput');
  if (!s || typeof s !== 'object') throw fail('input must be { subject, admit }');
  if (typeof i?.admit !== 'boolean') throw fail('admit must be a boolean');
  for (const f of ['useCase', 'country', 'prefix', 'numberTag'] as const) {
    if (typeof s[f] !== 'string') throw fail(`subject.${f} must be a string`);
  }
  const bad = countKeysOf(s as PumpingSubject).find((k) => !isCountKey(k));
  if (bad) throw fail(`subject makes a malformed key ${JSON.stringify(bad)}`);
  return i as CheckPumpingInput;
}

export interface PumpingProcessOptions {
  config: Config;
  client: RouteHealthClient;
  log: HealthLog;
  meter?: MetricMeter;
  source?: string;
}

export class PumpingProcess {
  readonly ledger: PumpingLedger;
  private readonly section;
  private readonly source: string;
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | undefined;
  private refreshing: Promise<void> | undefined;
  private failing = { flush: false, refresh: false };
  private readonly checks;

  constructor(private readonly opts: PumpingProcessOptions) {
    this.section = pumpingSchema.parse(opts.config.pumping ?? {});
    this.ledger = new PumpingLedger(this.section);
    this.source = opts.source ?? `worker@${hostname()}:${process.pid}`;
    this.checks = opts.meter?.createCounter(
      'rsms_pumping_checks_total',
      undefined,
      'Messages checked by the SMS pumping guard, by use case and verdict (admitted, velocity, blocked)',
    );
  }

  /** The `checkPumping` local activity. */
  readonly checkPumping: CheckPumping = (input) => {
    const { subject, admit } = checkedInput(input);
    const v: PumpingVerdict = this.ledger.check(subject, admit, Date.now());
    if (admit) {
      const verdict = !v.stop ? 'admitted' : v.stop.startsWith('VELOCITY') ? 'velocity' : 'blocked';
      this.checks?.add(1, { use_case: subject.useCase, verdict });
      if (v.stop) this.opts.log('info', 'pumping guard: message stopped', { useCase: subject.useCase, reason: v.stop });
    }
    return Promise.resolve(v);
  };

  sinks(): InjectedSinks<PumpingSinks> {
    return {
      pumping: {
        received: {
          fn: (_info, subject: PumpingSubject, admittedAt: number) => {
            try {
              checkedInput({ subject, admit: false });
              if (typeof admittedAt !== 'number' || !Number.isFinite(admittedAt)) throw new Error('admittedAt');
              this.ledger.received(subject, admittedAt);
            } catch (err) {
              this.opts.log('warn', 'pumping guard: feedback not counted', { error: (err as Error).message });
            }
          },
          callDuringReplay: false,
        },
      },
    };
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn(), ms);
      t.unref?.();
      this.timers.push(t);
    };
    every(this.section.flushInterval, () => this.flush());
    every(this.section.refreshInterval, () => this.refresh());
    void this.refresh();
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
    await this.flushing;
    await this.flush();
  }

  private withDeadline<T>(ms: number, call: () => Promise<T>): Promise<T> {
    const { client } = this.opts;
    return client.withDeadline ? client.withDeadline(Date.now() + ms, call) : call();
  }

  /** Sends the counts made since the last flush (one at a time; never rejects). */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.ledger.drain();
    if (!batch) return;
    const { taskQueue } = this.opts.config.temporal;
    const signal: PumpingBatch = { source: this.source, counts: batch.counts, seq: batch.seq };
    try {
      await this.withDeadline(10_000, () =>
        this.opts.client.workflow.signalWithStart<(i: PumpingGuardInput) => Promise<void>, [PumpingBatch]>(
          PUMPING_GUARD_WORKFLOW_TYPE,
          {
            workflowId: pumpingGuardWorkflowId(taskQueue),
            taskQueue: sharedStateTaskQueue(taskQueue),
            priority: SHARED_STATE_PRIORITY,
            args: [pumpingGuardInput(this.opts.config)],
            signal: pumpingCountsSignal,
            signalArgs: [signal],
          },
        ),
      );
      this.recovered('flush');
    } catch (err) {
      this.ledger.restore(batch);
      this.failed('flush', 'cannot send counts to the pumpingGuard workflow; kept for the next flush', err);
    }
  }

  /** Refreshes the snapshot (one at a time; never rejects). */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const handle = this.opts.client.workflow.getHandle(pumpingGuardWorkflowId(this.opts.config.temporal.taskQueue));
    try {
      let snapshot: PumpingSnapshot;
      try {
        snapshot = checkedSnapshot(await this.withDeadline(5_000, () => handle.query(pumpingSnapshotQuery)));
      } catch (err) {
        const notFound = err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError';
        if (!notFound) throw err;
        snapshot = { at: Date.now(), admitted: {}, entries: [] }; // nothing counted yet
      }
      this.ledger.snapshotArrived(snapshot, snapshot.applied?.[this.source] ?? 0, Date.now());
      this.recovered('refresh');
    } catch (err) {
      this.failed(
        'refresh',
        'cannot refresh the pumping guard snapshot; messages are checked against the last one',
        err,
      );
    }
  }

  private failed(what: 'flush' | 'refresh', msg: string, err: unknown): void {
    const error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : String(err).slice(0, 300);
    this.opts.log(this.failing[what] ? 'debug' : 'warn', `pumping guard: ${msg}`, { error });
    this.failing[what] = true;
  }

  private recovered(what: 'flush' | 'refresh'): void {
    if (this.failing[what]) this.opts.log('info', `pumping guard: ${what} works again`);
    this.failing[what] = false;
  }
}

/** The query's answer, checked. */
export function checkedSnapshot(value: unknown): PumpingSnapshot {
  const s = value as Partial<PumpingSnapshot> | null;
  if (!s || typeof s.at !== 'number' || typeof s.admitted !== 'object' || !Array.isArray(s.entries)) {
    throw new Error('the pumpingSnapshot query answered something that is not a snapshot ({ at, admitted, entries })');
  }
  return s as PumpingSnapshot;
}
