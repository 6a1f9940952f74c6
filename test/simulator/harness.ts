/**
 * Shared by the simulator tests: a config with two accounts x two Regions (plus Routes without DLR topics), real
 * SDK clients pointed at the simulator, a reader of the DLR queues on moto, and an admin API caller; and the stack
 * they run on: moto with the DLR topics and queues provisioned, and the simulator publishing to them.
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSmsClient } from '../../src/aws/clients';
import { configSchema, type Config } from '../../src/domain/config';
import { deliveryEventSchema, type DeliveryEvent, type DlrSignal } from '../../src/domain/delivery-event';
import { parseDlrMessageBody } from '../../src/domain/dlr-parse';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server';
import { startMoto, type Moto } from '../../src/tools/moto';
import { EMULATOR_CREDENTIALS, provisionDlrQueues, type ProvisionedQueue } from '../../src/tools/provision-emulator';

export const ACCOUNTS = ['primary', 'secondary'] as const;
export type AccountName = (typeof ACCOUNTS)[number];
export const REGIONS = ['us-east-1', 'us-west-2'] as const;

export const KEYS: Record<AccountName, { accessKeyId: string; secretAccessKey: string }> = {
  primary: { accessKeyId: 'AKIDSIMPRIMARY', secretAccessKey: 'primary-secret' },
  secondary: { accessKeyId: 'AKIDSIMSECONDARY', secretAccessKey: 'secondary-secret' },
};

/** Enveloped for (primary, us-east-1) and (secondary, us-west-2); raw for the two others. */
export function isRaw(account: AccountName, region: string): boolean {
  return (account === 'primary') === (region === 'us-west-2');
}

export function queueName(account: string, region: string): string {
  return `dlr-${account}-${region}`;
}

/** The simulator never reads route endpoints; they only need to be URLs. */
const PLACEHOLDER_ENDPOINT = 'http://127.0.0.1:9';

/**
 * The config input of the in-process simulator suites (no emulator): both accounts in us-east-1, one US toll-free
 * pool on the primary; `extra` adds or replaces top-level sections (policies, protect configurations, ...).
 */
export function inProcessConfigInput(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accounts: {
      primary: { accountId: '111111111111', credentials: { type: 'static', ...KEYS.primary } },
      secondary: { accountId: '222222222222', credentials: { type: 'static', ...KEYS.secondary } },
    },
    routes: [
      { id: 'p1', account: 'primary', region: 'us-east-1', endpoint: PLACEHOLDER_ENDPOINT },
      { id: 's1', account: 'secondary', region: 'us-east-1', endpoint: PLACEHOLDER_ENDPOINT },
    ],
    originators: { US: [{ route: 'p1', identity: 'pool-1', type: 'toll-free' }] },
    policies: { otp: {} },
    ...extra,
  };
}

export function simConfig(motoEndpoint: string): Config {
  const dlrQueues = [];
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      dlrQueues.push({
        account,
        region,
        endpoint: motoEndpoint,
        queueUrl: `${motoEndpoint}/123456789012/${queueName(account, region)}`,
        topicArn: `arn:aws:sns:${region}:123456789012:${queueName(account, region)}`,
        rawDelivery: isRaw(account, region),
      });
    }
  }
  // A topic that is never provisioned: publishing to it fails.
  dlrQueues.push({
    account: 'secondary',
    region: 'eu-west-1',
    endpoint: motoEndpoint,
    queueUrl: `${motoEndpoint}/123456789012/dlr-missing`,
    topicArn: 'arn:aws:sns:eu-west-1:123456789012:dlr-missing',
    rawDelivery: true,
  });
  return configSchema.parse({
    accounts: {
      primary: { credentials: { type: 'static', ...KEYS.primary } },
      secondary: { credentials: { type: 'static', ...KEYS.secondary } },
    },
    routes: [
      ...ACCOUNTS.flatMap((account) =>
        REGIONS.map((region) => ({ id: `${account}-${region}`, account, region, endpoint: PLACEHOLDER_ENDPOINT })),
      ),
      // No dlrQueues entry at all for primary in eu-west-1.
      { id: 'primary-eu-west-1', account: 'primary', region: 'eu-west-1', endpoint: PLACEHOLDER_ENDPOINT },
    ],
    originators: { US: [{ route: 'primary-us-east-1', identity: 'pool-primary', type: 'toll-free' }] },
    policies: { otp: {} },
    dlrQueues,
  });
}

/** The config to provision on moto: everything but the deliberately missing topic. */
export function provisionedPart(config: Config): Config {
  return { ...config, dlrQueues: config.dlrQueues.filter((q) => !q.topicArn?.endsWith(':dlr-missing')) };
}

const clients: PinpointSMSVoiceV2Client[] = [];

/** The production client builder (maxAttempts 1), static credentials of the account, endpoint = simulator. */
export function smsClient(
  url: string,
  account: AccountName,
  region: string,
  requestTimeoutMs = 5_000,
): PinpointSMSVoiceV2Client {
  const client = createSmsClient({ region, endpoint: url, credentials: KEYS[account], requestTimeoutMs });
  clients.push(client);
  return client;
}

export function destroyClients(): void {
  for (const c of clients.splice(0)) c.destroy();
}

export interface ReceivedEvent {
  event: DeliveryEvent;
  /** The SQS body was an SNS Notification envelope (else the raw event). */
  enveloped: boolean;
  /** The event as published, all fields (the schema strips unknown ones). */
  json: Record<string, unknown>;
}

/** Reads the DLR queues, parses each body (envelope or raw) with `deliveryEventSchema`, buckets by messageId. */
export class DlrReader {
  private readonly sqs = new Map<string, SQSClient>();
  /** queue url -> messageId -> events in arrival order. */
  private readonly buckets = new Map<string, Map<string, ReceivedEvent[]>>();

  constructor(private readonly endpoint: string) {}

  private client(region: string): SQSClient {
    let c = this.sqs.get(region);
    if (!c) {
      c = new SQSClient({ region, endpoint: this.endpoint, credentials: EMULATOR_CREDENTIALS });
      this.sqs.set(region, c);
    }
    return c;
  }

  private bucket(queue: ProvisionedQueue): Map<string, ReceivedEvent[]> {
    let b = this.buckets.get(queue.queueUrl);
    if (!b) {
      b = new Map();
      this.buckets.set(queue.queueUrl, b);
    }
    return b;
  }

  /** One receive round (long poll up to `waitSeconds`). */
  async poll(queue: ProvisionedQueue, waitSeconds = 1): Promise<number> {
    const sqs = this.client(queue.region);
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: waitSeconds, MaxNumberOfMessages: 10 }),
    );
    const msgs = out.Messages ?? [];
    for (const m of msgs) {
      const body = JSON.parse(m.Body!) as Record<string, unknown>;
      const enveloped = body.Type === 'Notification';
      const json = (enveloped ? JSON.parse(body.Message as string) : body) as Record<string, unknown>;
      const event = deliveryEventSchema.parse(json);
      const b = this.bucket(queue);
      b.set(event.messageId, [...(b.get(event.messageId) ?? []), { event, enveloped, json }]);
    }
    if (msgs.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    return msgs.length;
  }

  /** Waits until `count` events of `messageId` arrived on `queue`; fails after `timeoutMs`. */
  async waitFor(
    queue: ProvisionedQueue,
    messageId: string,
    count: number,
    timeoutMs = 8_000,
  ): Promise<ReceivedEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.bucket(queue).get(messageId) ?? [];
      if (got.length >= count) return got;
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} events for ${messageId} on ${queue.queueUrl}, got ${got.length}`);
      }
      await this.poll(queue, 1);
    }
  }

  /** Keeps reading `queue` for `ms`; returns the events of `messageId` seen so far. */
  async settle(queue: ProvisionedQueue, messageId: string, ms: number): Promise<ReceivedEvent[]> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) await this.poll(queue, 1);
    return this.bucket(queue).get(messageId) ?? [];
  }

  /** messageIds seen on a queue so far. */
  seen(queue: ProvisionedQueue): string[] {
    return [...this.bucket(queue).keys()];
  }

  destroy(): void {
    for (const c of this.sqs.values()) c.destroy();
  }
}

export interface AdminResponse<T = unknown> {
  status: number;
  json: T;
}

export async function admin<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<AdminResponse<T>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}

/** Resolves with the error a promise rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** moto with the config's DLR topics and queues, and the simulator publishing to them. */
export interface PublishingStack {
  moto: Moto;
  config: Config;
  queues: ProvisionedQueue[];
  sim: Simulator;
  /** The provisioned DLR queue of an account × Region. */
  queue(account: AccountName, region: string): ProvisionedQueue;
  stop(): Promise<void>;
}

/** Starts moto, provisions the DLR queues of `simConfig` and starts the simulator (`options` over the config). */
export async function startPublishingStack(options: Omit<SimulatorOptions, 'config'> = {}): Promise<PublishingStack> {
  const moto = await startMoto();
  try {
    const config = simConfig(moto.endpoint);
    const queues = await provisionDlrQueues(provisionedPart(config));
    const sim = await startSimulator({ config, ...options });
    return {
      moto,
      config,
      queues,
      sim,
      queue: (account, region) => {
        const q = queues.find((x) => x.account === account && x.region === region);
        if (!q) throw new Error(`no DLR queue provisioned for ${account}/${region}`);
        return q;
      },
      stop: async () => {
        destroyClients();
        await sim.stop();
        await moto.stop();
      },
    };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}

/**
 * Receives from `queue` until `count` receipt signals of `workflowId` arrived, each body parsed by the ingester's own
 * parser (bounded by a deadline, not timed); other workflows' bodies are left aside.
 */
export async function receiveSignals(
  endpoint: string,
  queue: ProvisionedQueue,
  workflowId: string,
  count: number,
): Promise<DlrSignal[]> {
  const sqs = new SQSClient({ region: queue.region, endpoint, credentials: EMULATOR_CREDENTIALS });
  try {
    const signals: DlrSignal[] = [];
    const deadline = Date.now() + 20_000;
    while (signals.length < count && Date.now() < deadline) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
      );
      for (const m of out.Messages ?? []) {
        const parsed = parseDlrMessageBody(m.Body!);
        if (!parsed.ok) throw new Error(`not parsed: ${parsed.error}`);
        if (parsed.workflowId === workflowId) signals.push(parsed.signal);
      }
    }
    return signals;
  } finally {
    sqs.destroy();
  }
}
