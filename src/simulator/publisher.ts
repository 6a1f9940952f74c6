/**
 * Publishes delivery events the way a configuration set's event destination does: SNS `Publish` of the event JSON
 * to the topic of the config's `dlrQueues` entry for the sending (account, Region). The SNS -> SQS subscription
 * (raw or enveloped) is the emulator's business. Only emulator endpoints are ever published to.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from '../domain/config';
import { EMULATOR_CREDENTIALS } from '../tools/provision-emulator';

export interface PublishResult {
  published: boolean;
  topicArn?: string;
  /** Why not: no DLR topic for the account and Region, no emulator endpoint, or the SNS error. */
  error?: string;
}

export interface Destination {
  topicArn: string;
  endpoint: string;
  region: string;
}

export class EventPublisher {
  private readonly clients = new Map<string, SNSClient>();

  constructor(
    private readonly config: Config,
    /** Overrides `dlrQueues[].endpoint` for publishing. */
    private readonly snsEndpoint?: string,
  ) {}

  /** Where events of (account, Region) go, or why nowhere. */
  destination(account: string | undefined, region: string | undefined): Destination | { error: string } {
    if (account === undefined || region === undefined) return { error: 'the sender has no known account or Region' };
    const entry = this.config.dlrQueues.find((q) => q.account === account && q.region === region && q.topicArn);
    if (!entry?.topicArn) {
      return { error: `no dlrQueues entry with a topicArn for account "${account}" in ${region}` };
    }
    const endpoint = this.snsEndpoint ?? entry.endpoint;
    if (!endpoint) {
      return {
        error: `dlrQueues entry ${account}/${region} has no endpoint: the simulator only publishes to an emulator`,
      };
    }
    // The topic's own Region (from its ARN) signs the request, as a real SNS client for that topic would.
    const topicRegion = entry.topicArn.split(':')[3] || region;
    return { topicArn: entry.topicArn, endpoint, region: topicRegion };
  }

  async publish(account: string | undefined, region: string | undefined, event: object): Promise<PublishResult> {
    const dest = this.destination(account, region);
    if ('error' in dest) return { published: false, error: dest.error };
    try {
      await this.client(dest).send(new PublishCommand({ TopicArn: dest.topicArn, Message: JSON.stringify(event) }));
      return { published: true, topicArn: dest.topicArn };
    } catch (err) {
      const e = err as Error;
      return { published: false, topicArn: dest.topicArn, error: `SNS Publish failed: ${e.name}: ${e.message}` };
    }
  }

  private client(dest: Destination): SNSClient {
    const key = `${dest.endpoint}\u0000${dest.region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new SNSClient({
        region: dest.region,
        endpoint: dest.endpoint,
        credentials: EMULATOR_CREDENTIALS,
        maxAttempts: 2,
        requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
