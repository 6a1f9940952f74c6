/**
 * The carrier simulator: a local stand-in for AWS End User Messaging that the real AWS SDK reaches through its
 * `endpoint` setting, so production code runs unchanged. This module puts it together: the state, the fronts, the
 * HTTP server.
 *
 * - SMS and voice v2, AWS JSON 1.0: ./sms-voice-front (wire format and validation: ./protocol).
 * - WhatsApp (End User Messaging Social) under `/v1/whatsapp/`: ./whatsapp-front; Meta's statuses of accepted
 *   messages are published to the same topics as the DLRs: ./whatsapp-statuses.
 * - Every accepted SMS or voice message gets its delivery events (DLRs), published to the SNS topic of the config's
 *   `dlrQueues` entry for (account, Region), like a configuration set's event destination: ./event-scheduler.
 * - SES v2 `SendEmail` (`POST /v2/email/outbound-emails`) and its configuration-set events: ./ses-front; the set-up
 *   the local stack provisions (`CreateEmailIdentity`, `CreateConfigurationSet`): ./ses-setup.
 * - Admin API under `/_sim/`: faults, DLR chaos, the message log, reset, health: ./admin-api; AWS Health events
 *   published to the route-health event queue (`POST /_sim/aws-health`): ./aws-health.
 * - Opt-out lists per account x Region (CreateOptOutList, PutOptedOutNumber, ...): ./opt-out-lists, ./opt-out-api;
 *   inbound replies (`POST /_sim/inbound`, STOP) and originator links (`POST /_sim/opt-out-links`): ./inbound.
 * - `GET /`: what the simulator implements.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../domain/config';
import { ownValue } from '../domain/own';
import { ADMIN_PATHS, adminApi } from './admin-api';
import { awsHealthRoute } from './aws-health';
import { inboundRoute } from './inbound';
import { ProtectConfigurations, protectRoute, registerConfigured } from './protect';
import { EventScheduler } from './event-scheduler';
import { createRouter, sendJson, type Route } from './http';
import { createEmit, type Emit, type SimulatorLog } from './log';
import { DEFAULT_MAX_MESSAGES } from './message-log';
import { SUPPORTED_OPERATIONS } from './protocol';
import { EventPublisher } from './publisher';
import { mpsLimitsFor } from './mps-limits';
import { SmsVoiceFront } from './sms-voice-front';
import { createSimulatorState, type SimulatorState } from './state';
import { WHATSAPP_OPERATION } from './whatsapp-protocol';
import { whatsAppFront } from './whatsapp-front';
import { WhatsAppStatusPublisher } from './whatsapp-statuses';
import { SES_OPERATION, sesFront } from './ses-front';
import { SES_SETUP_OPERATIONS, sesSetup } from './ses-setup';

export { MAX_REQUEST_BYTES } from './http';
export type { SimulatorLog } from './log';
export { accountsByAccessKey, type SimulatorState } from './state';

export const DEFAULT_DELIVERY_DELAY_MS = 200;
const STOP_DRAIN_MS = 5_000;

export interface SimulatorOptions {
  config: Config;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Time from acceptance to the final delivery event. Default 200 ms. */
  deliveryDelayMs?: number;
  /**
   * Which events the configuration set's event destination publishes (its MatchingEventTypes): `all`, or the
   * `final` ones only. Default: what the ingester consumes (`ingester.intermediateEvents`: `signal` -> all,
   * `final-only` (its default) -> final), as a production event destination should be set up.
   */
  eventTypes?: 'all' | 'final';
  /** SNS endpoint for publishing, overriding `dlrQueues[].endpoint`. */
  snsEndpoint?: string;
  /** One structured line per request / event / admin change. Never receives message bodies. */
  log?: SimulatorLog;
  /** Dice of fault probabilities (tests make them deterministic). Default Math.random, seeded by `/_sim/chaos`. */
  random?: () => number;
  /** Message log bound. Default 100 000. */
  maxMessages?: number;
  /** The stand-in AIT prefixes of the config's protect configurations (./protect.ts). Default DEFAULT_AIT_PREFIXES. */
  aitPrefixes?: readonly string[];
}

export interface Simulator {
  /** Base URL: the SDK's `endpoint`, and the admin API under `/_sim/`. */
  url: string;
  port: number;
  state: SimulatorState;
  stop(): Promise<void>;
}

/** `GET /`: what this simulator implements. */
const indexPage: Route = {
  matches: (req, url) => req.method === 'GET' && url.pathname === '/',
  handle: (_req, res) =>
    sendJson(res, 200, {
      service: 'resilient-sms carrier simulator (AWS End User Messaging SMS, AWS JSON 1.0)',
      operations: [...SUPPORTED_OPERATIONS, WHATSAPP_OPERATION, SES_OPERATION, ...SES_SETUP_OPERATIONS],
      admin: ADMIN_PATHS,
    }),
};

/**
 * How long the simulator keeps an idle keep-alive connection open: 60 s, like the endpoints behind AWS's load
 * balancers (their documented default idle timeout,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout),
 * and not Node's default 5 s. AWS publishes no idle timeout for the End User Messaging endpoints themselves, so our
 * clients close their idle sockets much earlier (DEFAULT_IDLE_SOCKET_TIMEOUT_MS, src/aws/http-handler.ts).
 */
export const SIMULATOR_KEEP_ALIVE_TIMEOUT_MS = 60_000;

function keepAliveLikeAws(server: Server): void {
  server.keepAliveTimeout = SIMULATOR_KEEP_ALIVE_TIMEOUT_MS;
  // A request's headers must arrive within headersTimeout; longer than the idle timeout, as Node's docs advise.
  server.headersTimeout = SIMULATOR_KEEP_ALIVE_TIMEOUT_MS + 5_000;
}

async function listen(server: Server, port: number, host: string): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`, port: address.port };
}

/** The `listening` line, and a warning for each route the simulator cannot serve fully. */
function logStartup(emit: Emit, config: Config, state: SimulatorState, publisher: EventPublisher, fields: object) {
  emit('info', 'listening', {
    ...fields,
    accounts: Object.fromEntries([...state.accountsByAccessKey].map(([key, name]) => [name, key])),
    dlrTopics: config.dlrQueues
      .filter((q) => q.topicArn)
      .map((q) => ({ account: q.account, region: q.region, topicArn: q.topicArn })),
  });
  for (const route of config.routes) {
    if (ownValue(config.accounts, route.account)?.credentials.type !== 'static') {
      emit('warn', 'route account has no static credentials: the simulator cannot recognise its requests', {
        route: route.id,
        account: route.account,
      });
    }
    const dest = publisher.destination(route.account, route.region);
    if ('error' in dest)
      emit('warn', 'route has no DLR topic: its events will not be published', { route: route.id, reason: dest.error });
  }
}

/** Config account name -> its AWS account id, where the config gives one. */
function accountIdsOf(config: Config): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [name, account] of Object.entries(config.accounts))
    if (account.accountId) ids.set(name, account.accountId);
  return ids;
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { config } = opts;
  const host = opts.host ?? '127.0.0.1';
  const deliveryDelayMs = opts.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS;
  const eventTypes = opts.eventTypes ?? (opts.config.ingester?.intermediateEvents === 'signal' ? 'all' : 'final');
  if (!Number.isFinite(deliveryDelayMs) || deliveryDelayMs < 0) {
    throw new Error(`deliveryDelayMs must be a non-negative number, got ${deliveryDelayMs}`);
  }
  const emit = createEmit(opts.log ?? (() => {}));
  const publisher = new EventPublisher(config, opts.snsEndpoint);
  const events = new EventScheduler(publisher, emit);
  const statuses = new WhatsAppStatusPublisher(publisher, emit);
  const maxMessages = opts.maxMessages ?? DEFAULT_MAX_MESSAGES;
  const state = createSimulatorState({ config, maxMessages, random: opts.random }, events);
  const { messages, faults, chaos, optOuts, accountsByAccessKey: keys } = state;
  const ses = sesFront({ keys, messages, faults, emit, publisher, deliveryDelayMs, accountIds: accountIdsOf(config) });

  const awsHealth = awsHealthRoute(config, emit);
  const inbound = inboundRoute(config, state, emit);
  const protect = new ProtectConfigurations();
  // The config's protect configurations, under each of their ids: the local stack enforces them like AWS.
  const registered = registerConfigured(protect, config.protectConfigurations, opts.aitPrefixes);
  if (registered.length > 0) emit('info', 'protect configurations registered from the config', { registered });
  const routes = [
    awsHealth,
    inbound,
    protectRoute(protect, emit),
    adminApi(state, emit),
    whatsAppFront({ keys, messages, faults, emit, statuses, deliveryDelayMs, accountIds: accountIdsOf(config) }),
    ses,
    sesSetup({ keys, emit }),
    new SmsVoiceFront({
      ...{ keys, messages, faults, chaos, events, deliveryDelayMs, eventTypes, emit, optOuts, protect },
      mpsLimits: mpsLimitsFor(config), // MPS per originator, with the config's `pacing` section (./mps-limits.ts)
    }),
    indexPage,
  ];
  const route = createRouter(routes, emit);
  const server: Server = createServer((req, res) => {
    void route(req, res);
  });
  keepAliveLikeAws(server);
  const { url, port } = await listen(server, opts.port ?? 0, host);
  server.on('error', (err) => emit('error', 'server error', { error: String(err) }));
  logStartup(emit, config, state, publisher, { url, deliveryDelayMs });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    events.cancel();
    statuses.cancel();
    ses.cancel();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await Promise.all([events.drain(STOP_DRAIN_MS), statuses.drain(STOP_DRAIN_MS)]);
    statuses.cancel();
    events.cancel(); // an in-flight chain cannot schedule more, but be certain
    publisher.destroy();
    awsHealth.destroy();
    inbound.destroy();
    emit('info', 'stopped');
  };

  return { url, port, state, stop };
}
