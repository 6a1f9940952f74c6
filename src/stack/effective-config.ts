/** The config the local stack's children run with: the user's config, its local endpoints pointed at what was started. */
import type { Config } from '../domain/config';

function isLocalUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

function relocal<T extends { endpoint?: string }>(channel: T | undefined, endpoint: string): T | undefined {
  return channel?.endpoint && isLocalUrl(channel.endpoint) ? { ...channel, endpoint } : channel;
}

function relocalQueue(rh: NonNullable<Config['routeHealth']>, sqs: string): NonNullable<Config['routeHealth']> {
  const q = rh.healthEvents;
  if (!q?.endpoint || !isLocalUrl(q.endpoint)) return rh;
  return { ...rh, healthEvents: { ...q, endpoint: sqs, queueUrl: `${sqs}${new URL(q.queueUrl).pathname}` } };
}

function relocalSqs<T extends { endpoint?: string; queueUrl: string }>(q: T, sqs: string): T {
  if (!q.endpoint || !isLocalUrl(q.endpoint)) return q;
  return { ...q, endpoint: sqs, queueUrl: `${sqs}${new URL(q.queueUrl).pathname}` };
}

/** The config with every local endpoint pointed at what this stack started. */
export function effectiveConfig(config: Config, at: { temporal: string; simulator: string; sqs: string }): Config {
  return {
    ...config,
    // The stack's own dev server speaks plain TCP: the config's TLS and API key are for the real cluster.
    temporal: { ...config.temporal, address: at.temporal, tls: undefined, apiKeyEnv: undefined },
    routes: config.routes.map((r) => (r.endpoint && isLocalUrl(r.endpoint) ? { ...r, endpoint: at.simulator } : r)),
    dlrQueues: config.dlrQueues.map((q) => {
      if (!q.endpoint || !isLocalUrl(q.endpoint)) return q;
      const queuePath = new URL(q.queueUrl).pathname;
      return { ...q, endpoint: at.sqs, queueUrl: `${at.sqs}${queuePath}` };
    }),
    // The two-way SMS queues (opt-out keywords) and the AWS Health event queue (route health) are on the emulator too.
    ...(config.optOuts
      ? { optOuts: { ...config.optOuts, inbound: config.optOuts.inbound.map((q) => relocalSqs(q, at.sqs)) } }
      : {}),
    ...(config.routeHealth ? { routeHealth: relocalQueue(config.routeHealth, at.sqs) } : {}),
    // WhatsApp and email (SES v2, with its configuration-set events) go to the simulator; push (SNS) to the emulator.
    channels: {
      ...config.channels,
      whatsapp: relocal(config.channels.whatsapp, at.simulator),
      email: relocal(config.channels.email, at.simulator),
      push: relocal(config.channels.push, at.sqs),
    },
  };
}
