/**
 * The pool of waiting messages the memory and ingestion measurements share: messages started on the `notice`
 * policy (it waits 72 h) to San Francisco numbers, for which the simulator publishes TEXT_PENDING and never a
 * final receipt, so that they wait in the worker; the measurements then deliver their final receipts, through
 * SNS (as End User Messaging would) or as plain signals.
 */
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DeliveryEvent, DlrSignal } from '../../src/domain/delivery-event';
import type { MessageRecord } from '../../src/simulator/message-log';
import { EMULATOR_CREDENTIALS } from '../../src/tools/provision-emulator';
import { workflowIdFor } from '../../src/workflows/definitions';
import { request, usNumber } from '../lib/drive';
import { simSends } from '../lib/history';
import { cpuMs } from '../lib/proc';
import type { BenchStack } from '../lib/stack';
import { mapLimit, sleep } from '../lib/stats';

const AREA = '415'; // San Francisco numbers: only this phase's messages match its fault
const PHASE = 'mem';

export interface PoolEntry {
  workflowId: string;
  record?: MessageRecord;
}

/** Waits until the worker's CPU use stays under 5 % for 3 s (its backlog is done), at most `maxMs`. */
export async function workerIdle(stack: BenchStack, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const pid = stack.pids().worker;
    const a = pid ? cpuMs(pid) : undefined;
    await sleep(3_000);
    const b = pid ? cpuMs(pid) : undefined;
    if (a === undefined || b === undefined || b - a < 150) return;
  }
}

export class WaitingPool {
  readonly entries: PoolEntry[] = [];
  private next = 0;
  private readonly sns = new Map<string, SNSClient>();

  constructor(
    private readonly stack: BenchStack,
    readonly useCase: string,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Takes `n` unused entries, oldest first or newest first. */
  take(n: number, from: 'oldest' | 'newest'): PoolEntry[] {
    const available = this.entries.filter((e) => !(e as { used?: boolean }).used);
    const picked = from === 'oldest' ? available.slice(0, n) : available.slice(-n);
    for (const e of picked) (e as { used?: boolean }).used = true;
    return picked;
  }

  /** Messages started so far. */
  get started(): number {
    return this.next;
  }

  /**
   * Makes the simulator publish no final receipt for the pool's messages (TEXT_PENDING only): they wait. Returns
   * the fault's removal.
   */
  async holdReceipts(): Promise<() => Promise<void>> {
    const fault = await this.stack.sim<{ id: string }>('POST', '/_sim/faults', {
      match: { destinationPrefix: `+1${AREA}` },
      effect: { dlr: 'none' },
    });
    return () => this.stack.sim('DELETE', `/_sim/faults/${fault.id}`).then(() => undefined);
  }

  /** Starts the next message of the pool; resolves true once the start was accepted, false if it failed. */
  startNext(): Promise<boolean> {
    const i = this.next++;
    const req = request(PHASE, i, this.useCase, { destination: usNumber(i, AREA) });
    this.entries.push({ workflowId: workflowIdFor(req.idempotencyKey) });
    return this.stack.rsms.sendMessage(req).then(
      () => true,
      () => false,
    );
  }

  /** The simulator's record of each entry's send (message id, context). */
  async resolveRecords(entries: PoolEntry[]): Promise<void> {
    const missing = entries.filter((e) => !e.record);
    if (missing.length === 0) return;
    const sends = await simSends(this.stack, 100_000);
    for (const e of missing) e.record = sends.get(e.workflowId)?.get(1);
  }

  private snsFor(region: string): SNSClient {
    let c = this.sns.get(region);
    if (!c) {
      c = new SNSClient({ region, endpoint: this.stack.info.sqsEndpoint, credentials: EMULATOR_CREDENTIALS });
      this.sns.set(region, c);
    }
    return c;
  }

  /** The final TEXT_DELIVERED event for an entry, as End User Messaging would publish it, and its topic. */
  deliveredEvent(entry: PoolEntry): { event: DeliveryEvent; topicArn: string; region: string } {
    const r = entry.record!;
    const q = this.stack.config.dlrQueues.find((d) => d.account === r.account && d.region === r.region && d.topicArn);
    if (!q?.topicArn) throw new Error(`no DLR topic for ${r.account}/${r.region}`);
    const event: DeliveryEvent = {
      eventType: 'TEXT_DELIVERED',
      eventVersion: '1.0',
      eventTimestamp: Date.now(),
      isFinal: true,
      originationPhoneNumber: r.originator,
      destinationPhoneNumber: r.destination,
      isoCountryCode: r.isoCountryCode,
      messageId: r.messageId!,
      messageRequestTimestamp: Date.parse(r.receivedAt),
      messageType: r.messageType,
      messageStatus: 'DELIVERED',
      messageStatusDescription: 'Message has been accepted by phone',
      context: r.context,
      totalMessageParts: 1,
      totalMessagePrice: 0.00581,
      totalCarrierFee: 0,
    };
    return { event, topicArn: q.topicArn, region: q.topicArn.split(':')[3] || q.region };
  }

  signalFor(entry: PoolEntry): DlrSignal {
    const r = entry.record!;
    return {
      attempt: 1,
      eventType: 'TEXT_DELIVERED',
      status: 'DELIVERED',
      isFinal: true,
      messageId: r.messageId!,
      eventTimestamp: Date.now(),
      description: 'Message has been accepted by phone',
      price: 0.00581,
    };
  }

  async publish(entries: PoolEntry[]): Promise<number> {
    const groups = new Map<string, { region: string; topicArn: string; messages: string[] }>();
    for (const e of entries) {
      const { event, topicArn, region } = this.deliveredEvent(e);
      const g = groups.get(topicArn) ?? { region, topicArn, messages: [] };
      g.messages.push(JSON.stringify(event));
      groups.set(topicArn, g);
    }
    let published = 0;
    for (const g of groups.values()) {
      const batches: string[][] = [];
      for (let i = 0; i < g.messages.length; i += 10) batches.push(g.messages.slice(i, i + 10));
      await mapLimit(batches, 8, async (batch, b) => {
        const out = await this.snsFor(g.region).send(
          new PublishBatchCommand({
            TopicArn: g.topicArn,
            PublishBatchRequestEntries: batch.map((m, i) => ({ Id: `${b}-${i}`, Message: m })),
          }),
        );
        published += out.Successful?.length ?? 0;
      });
    }
    return published;
  }

  async publishOne(entry: PoolEntry): Promise<number> {
    const { event, topicArn, region } = this.deliveredEvent(entry);
    await this.snsFor(region).send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(event) }));
    return Date.now();
  }

  close(): void {
    for (const c of this.sns.values()) c.destroy();
  }
}
