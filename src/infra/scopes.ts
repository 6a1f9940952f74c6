/**
 * What `infra synth` reads from the config: one scope per account × Region the config uses (a template each), the
 * names the resources get (queue names from the queue URLs, topic names from the topic ARNs), and who owns each
 * RAM-shared originator (the account of its ARN). Everything here is pure.
 */
import type { Config, OriginatorConfig, RouteConfig } from '../domain/config';

export type DlrQueueConfig = Config['dlrQueues'][number];

/** One account × Region: one template. */
export interface Scope {
  account: string;
  /** The account's 12-digit id when the config gives it. */
  accountId?: string;
  region: string;
  /** The account's first scope in the config's order: IAM is global, so the account's IAM resources live here. */
  home: boolean;
  routes: RouteConfig[];
  dlrQueues: DlrQueueConfig[];
}

/** An originator of the config with where it was written (for error messages) and its country key. */
export interface PlacedOriginator {
  path: string;
  country: string;
  channel: 'sms' | 'voice';
  originator: OriginatorConfig;
}

/** An End User Messaging resource ARN: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsendusermessagingsmsandvoicev2.html#awsendusermessagingsmsandvoicev2-resources-for-iam-policies */
export interface SmsArn {
  region: string;
  accountId: string;
  type: string;
  id: string;
}

const SMS_ARN = /^arn:aws[a-z-]*:sms-voice:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

export function parseSmsArn(arn: string): SmsArn | undefined {
  const m = SMS_ARN.exec(arn);
  return m ? { region: m[1], accountId: m[2], type: m[3], id: m[4] } : undefined;
}

/** The queue name of an SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`): its last path segment. */
export function queueNameOf(queueUrl: string, path: string): string {
  const name = new URL(queueUrl).pathname
    .split('/')
    .filter((s) => s.length > 0)
    .pop();
  if (!name || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw new Error(`${path}: "${queueUrl}" does not end in an SQS queue name (1-80 letters, digits, - or _)`);
  }
  return name;
}

/** The topic name of an SNS topic ARN: its last `:` field. */
export function topicNameOf(topicArn: string): string {
  return topicArn.slice(topicArn.lastIndexOf(':') + 1);
}

/** Every SMS and voice originator of the config, in the config's order. */
export function placedOriginators(config: Config): PlacedOriginator[] {
  const placed: PlacedOriginator[] = [];
  for (const [country, list] of Object.entries(config.originators)) {
    list.forEach((originator, i) =>
      placed.push({ path: `originators.${country}[${i}]`, country, channel: 'sms', originator }),
    );
  }
  for (const [country, list] of Object.entries(config.channels.voice?.originators ?? {})) {
    list.forEach((originator, i) =>
      placed.push({ path: `channels.voice.originators.${country}[${i}]`, country, channel: 'voice', originator }),
    );
  }
  return placed;
}

/** The config's account whose `accountId` is `accountId`. */
export function accountNamed(config: Config, accountId: string): string | undefined {
  return Object.entries(config.accounts).find(([, a]) => a.accountId === accountId)?.[0];
}

/**
 * The account that owns a RAM-shared originator: the config's account whose `accountId` is the ARN's. Throws when no
 * account of the config has it (the owner's template is where the share is made).
 */
export function ownerOfShared(config: Config, placed: PlacedOriginator): { account: string; arn: SmsArn } {
  const arn = parseSmsArn(placed.originator.identity);
  if (!arn) {
    throw new Error(`${placed.path}.identity: a RAM-shared originator must be an sms-voice ARN (arn:aws:sms-voice:…)`);
  }
  const account = accountNamed(config, arn.accountId);
  if (!account) {
    throw new Error(
      `${placed.path}.identity: owned by account ${arn.accountId}, which no account of the config has as accountId; ` +
        `add the owner (accounts.<name>.accountId) so its template can share the ${arn.type} through AWS RAM`,
    );
  }
  return { account, arn };
}

/**
 * Every account × Region the config uses (routes, DLR queues, shared originators' owners, opt-out lists and two-way
 * SMS queues, channels, AWS Health), in the config's order, with the routes and DLR queues of each.
 */
export function scopesOf(config: Config): Scope[] {
  const scopes = new Map<string, Scope>();
  const homes = new Set<string>();
  const add = (account: string, region: string): Scope => {
    const key = `${account}/${region}`;
    let scope = scopes.get(key);
    if (!scope) {
      const accountId = config.accounts[account]?.accountId;
      scope = { account, accountId, region, home: !homes.has(account), routes: [], dlrQueues: [] };
      homes.add(account);
      scopes.set(key, scope);
    }
    return scope;
  };
  for (const route of config.routes) add(route.account, route.region).routes.push(route);
  for (const queue of config.dlrQueues) add(queue.account, queue.region).dlrQueues.push(queue);
  for (const placed of placedOriginators(config)) {
    if (!placed.originator.shared) continue;
    const { account, arn } = ownerOfShared(config, placed);
    add(account, arn.region);
  }
  for (const queue of config.optOuts?.inbound ?? []) add(queue.account, queue.region);
  for (const entry of config.optOuts?.lists ?? []) {
    add(entry.account, entry.region);
    // A list named by ARN is created (and shared) in its owner's template.
    for (const name of entry.names) {
      const arn = parseSmsArn(name);
      const owner = arn && accountNamed(config, arn.accountId);
      if (arn && owner) add(owner, arn.region);
    }
  }
  for (const channel of [config.channels.whatsapp, config.channels.email, config.channels.push]) {
    if (channel) add(channel.account, channel.region);
  }
  const health = config.routeHealth?.healthEvents;
  if (health) {
    if (!config.accounts[health.account]) {
      throw new Error(`routeHealth.healthEvents.account: unknown account "${health.account}"`);
    }
    add(health.account, health.region);
  }
  return [...scopes.values()];
}

/** The template file name of a scope. */
export function templateFileName(scope: Pick<Scope, 'account' | 'region'>): string {
  return `${scope.account}-${scope.region}.json`;
}
