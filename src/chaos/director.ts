/**
 * The director of a chaos run: fires each disruption (kill the worker or the ingester, stop the Temporal dev
 * server, after an optional freeze) and drops each poison message on a DLR queue when the starts pass its mark,
 * and records how long each disruption took to recover. Starts wait at the next mark until the disruption before
 * it has recovered (`gate`), so every disruption hits messages in flight and new starts arrive during it.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { pollerIdentities } from '../stack/pollers';
import type { StackInfo } from '../stack/stack-info';
import { sleep } from '../tools/service-process';
import { fmtS, type ChaosContext, type QueueRef, type StartProgress } from './context';
import type { DisruptionKind, PlannedDisruption } from './schedule';

export interface Disruption {
  kind: DisruptionKind;
  signal: NodeJS.Signals;
  /** Messages started when it happened. */
  afterStarts: number;
  /** Seconds since the first start. */
  atS: number;
  pid?: number;
  newPid?: number;
  /** Until the launcher had the replacement up (ms). */
  recoveredMs?: number;
  error?: string;
}

export interface PlannedPoison {
  body: string;
  queue: QueueRef;
  /** Fraction of the starts after which it is sent. */
  mark: number;
}

export class Director {
  readonly disruptions: Disruption[] = [];
  private readonly done: Promise<void>[] = [];
  private readonly resolvers: (() => void)[] = [];

  constructor(
    private readonly ctx: ChaosContext,
    private readonly progress: StartProgress,
    private readonly plan: PlannedDisruption[],
    private readonly poison: PlannedPoison[],
  ) {
    for (let k = 0; k < plan.length; k++) this.done.push(new Promise<void>((r) => this.resolvers.push(r)));
  }

  /** Resolves once start `i` may go: every disruption whose successor's mark it has passed has recovered. */
  async gate(i: number): Promise<void> {
    const n = this.ctx.o.messages;
    for (let k = 0; k + 1 < this.plan.length; k++) if (i >= this.plan[k + 1].mark * n) await this.done[k];
  }

  /** Runs until every disruption and every poison message has been fired. */
  async run(): Promise<void> {
    const { plan, poison, progress } = this;
    const n = this.ctx.o.messages;
    let p = 0;
    for (let k = 0; k < plan.length || p < poison.length;) {
      while (p < poison.length && progress.started >= poison[p].mark * n) {
        const { queue, body } = poison[p++];
        await this.ctx.stack
          .sqs(queue.region)
          .send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }))
          .catch((err: unknown) => this.ctx.log(`[chaos] poison not sent: ${String(err)}`));
      }
      if (k < plan.length && progress.started >= plan[k].mark * n) {
        await this.disrupt(plan[k].kind);
        this.resolvers[k]();
        k++;
        continue;
      }
      await sleep(50);
    }
  }

  private async disrupt(kind: DisruptionKind): Promise<void> {
    const { o, stack, log, temporal } = this.ctx;
    const signal: NodeJS.Signals = kind === 'temporal' ? o.temporalSignal : 'SIGKILL';
    const d: Disruption = {
      kind,
      signal,
      afterStarts: this.progress.started,
      atS: (Date.now() - (this.progress.firstStartAt ?? Date.now())) / 1000,
    };
    this.disruptions.push(d);
    try {
      const killedAt = Date.now();
      if (kind === 'temporal' && o.temporalFreezeMs > 0) await stack.freeze('temporal', o.temporalFreezeMs);
      const r = await stack.kill(kind, signal, o.recoveryTimeoutMs);
      // The launcher's readiness check can see the dead worker's pollers: wait for the new one's own.
      if (kind === 'worker') await workerPolls(temporal, stack.info, r.newPid, killedAt + o.recoveryTimeoutMs);
      Object.assign(d, { pid: r.pid, newPid: r.newPid, recoveredMs: Date.now() - killedAt });
      log(
        `[chaos] ${kind} ${signal} (pid ${r.pid}) after ${d.afterStarts} starts: back as pid ${r.newPid} in ${fmtS(d.recoveredMs!)}`,
      );
    } catch (err) {
      d.error = (err as Error).message.split('\n')[0];
      log(`[chaos] ${kind} ${signal} failed: ${d.error}`);
    }
  }
}

/** Resolves once a worker with this pid polls both the workflow and the activity task queue (default identity). */
async function workerPolls(temporal: Client, info: StackInfo, pid: number, until: number): Promise<void> {
  const polls = async (kind: 'workflow' | 'activity') =>
    (await pollerIdentities(temporal, info.namespace, info.taskQueue, kind)).some((id) => id.startsWith(`${pid}@`));
  while (Date.now() < until) {
    try {
      if ((await polls('workflow')) && (await polls('activity'))) return;
    } catch {
      // Temporal busy: ask again
    }
    await sleep(200);
  }
  throw new Error(`the restarted worker (pid ${pid}) is not polling`);
}
