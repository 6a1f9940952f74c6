/**
 * The worker process: runs deliverMessage workflows and the send activities for one task queue, and, on a second
 * small Worker, the shared-state workflows (routeHealth, pumpingGuard) on that queue's shared-state task queue
 * (./shared-state-worker.ts). With
 * `routeHealth.enabled`, also the process side of route health (src/health/): the `routeHealth` sink, the
 * `readRouteHealth` local activity, the flusher and the snapshot cache, through a Temporal client on the worker's
 * own connection. Without it nothing of route health is installed.
 */
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, Runtime, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { preflight } from '../temporal/connect';
import { connectNative } from '../temporal/native';
import { describeSettings, temporalSettings } from '../temporal/settings';
import { createActivities } from '../activities';
import { createOptOutActivities } from '../activities/opt-out';
import { createResolvePlanActivities } from '../activities/resolve-plan';
import { createRouteHealthActivities } from '../activities/route-health';
import { createWebhookActivities } from '../activities/webhook';
import { webhookKeyringFor } from '../webhooks/keyring';
import { syncCanariesLogged } from '../canaries/schedules';
import { channelClientsFromConfig, smsClientsFromConfig } from '../aws/registries';
import { dataConverterFor } from '../codec/data-converter';
import { readEnvironment, type ProcessOptions } from '../config/environment';
import { configPathFrom, loadConfig } from '../config/load';
import type { Config } from '../domain/config';
import { unprotectedMessage, unprotectedScopes } from '../domain/protect-config';
import type { RouteHealthSnapshot } from '../domain/route-health';
import { createRouteHealthProcess, type RouteHealthProcess } from '../health';
import { workflowBacklogAge } from '../health/backlog';
import { healthLogOf } from '../health/log';
import { PumpingProcess } from '../pumping/process';
import { activityMetricsInterceptor } from '../observability/activity-metrics';
import { installObservability } from '../observability/runtime';
import { prebuiltWorkflowBundle } from './workflow-bundle';
import { workerTuningOptions } from './worker-tuning';
import { createPacedWorkers } from './paced-workers';
import { runAllOrNone, runAllUntil, shutdownAll } from './run-all';
import { createSharedStateWorker } from './shared-state-worker';

export interface CreateWorkerOptions {
  config: Config;
  connection: NativeConnection;
  taskQueue?: string;
  namespace?: string;
  /** A bundle to use; default: lib/workflow-bundle*.js when current (see ./workflow-bundle.ts), else bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (tuning). */
  tuning?: Partial<WorkerOptions>;
}

/** The route health of a worker, when the config enables it: on the worker's connection, namespace and converter. */
function routeHealthFor(opts: CreateWorkerOptions, client: Client): RouteHealthProcess | undefined {
  if (!opts.config.routeHealth?.enabled) return undefined;
  const runtime = Runtime.instance();
  const taskQueue = opts.taskQueue ?? opts.config.temporal.taskQueue;
  return createRouteHealthProcess({
    config: opts.config,
    client,
    log: healthLogOf(runtime.logger),
    meter: runtime.metricMeter,
    backlogAge: workflowBacklogAge(client, client.options.namespace, taskQueue),
  });
}

/** The SMS pumping guard's process side, when the config enables it (docs/pumping.md). */
function pumpingFor(opts: CreateWorkerOptions, client: Client): PumpingProcess | undefined {
  if (!opts.config.pumping?.enabled) return undefined;
  const runtime = Runtime.instance();
  return new PumpingProcess({
    config: opts.config,
    client,
    log: healthLogOf(runtime.logger),
    meter: runtime.metricMeter,
  });
}

/** `checkPumping` on a worker without the guard (another deployment's config): nothing stops the message. */
function checkNoPumping(): Promise<{ at: number }> {
  return Promise.resolve({ at: Date.now() });
}

/** `readRouteHealth` on a worker without route health: nothing is known to be unhealthy. */
function readNoRouteHealth(): Promise<RouteHealthSnapshot> {
  return Promise.resolve({ at: 0, entries: [] });
}

/** The main Worker's `reuseV8Context`, for the shared-state Worker (one way of loading the bundle per process). */
function reuseV8(opts: CreateWorkerOptions): Pick<WorkerOptions, 'reuseV8Context'> {
  const reuse = opts.tuning?.reuseV8Context ?? opts.config.worker?.reuseV8Context;
  return reuse === undefined ? {} : { reuseV8Context: reuse };
}

/** The workflow code bundled now (no prebuilt bundle), with the converters Worker.create would bundle it with. */
async function bundleAtStart(dataConverter: DataConverter): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    payloadConverterPath: dataConverter.payloadConverterPath,
    failureConverterPath: dataConverter.failureConverterPath,
    logger: Runtime.instance().logger,
  });
  return { code };
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export interface CreatedWorker {
  worker: Worker;
  /** Route health's process side, when enabled (its timers run from creation; `stop()` ends them after a last flush). */
  routeHealth?: RouteHealthProcess;
  /** The pumping guard's process side, when enabled. */
  pumping?: PumpingProcess;
  /** With pacing on: one activity-only Worker per SMS originator (./paced-workers.ts); empty otherwise. */
  pacedWorkers: Worker[];
  /** The small Worker of the shared-state task queue: routeHealth and pumpingGuard (./shared-state-worker.ts). */
  sharedStateWorker: Worker;
  /** Runs the worker, the shared-state worker and the paced workers; resolves once all of them have shut down. */
  runAll: () => Promise<void>;
  /** Runs them all until `fn` settles, then shuts them all down (each Worker runs once: use this or `runAll`). */
  runUntil: <R>(fn: () => Promise<R>) => Promise<R>;
  /** Starts the shutdown of every one of them that is running (`runAll` then resolves). */
  shutdown: () => void;
  /** Releases the AWS clients and stops route health's timers (its last flush goes on in the background). */
  close: () => void;
}

export async function createWorker(opts: CreateWorkerOptions): Promise<CreatedWorker> {
  // Status webhooks' signing keys, read now: a missing or short secret stops the worker here, naming the variable.
  const webhookKeys = webhookKeyringFor(opts.config);
  const smsClient = smsClientsFromConfig(opts.config);
  const channels = channelClientsFromConfig(opts.config);
  const dataConverter = dataConverterFor(opts.config);
  const namespace = opts.namespace ?? opts.config.temporal.namespace;
  // A client on the worker's own connection: route health's flusher and cache, and the routeHealth workflow's
  // wake-up activity (registered on every worker, so a routeHealth workflow started by an operator always runs).
  const client = new Client({ connection: opts.connection, namespace, dataConverter });
  const routeHealth = routeHealthFor(opts, client);
  const pumping = pumpingFor(opts, client);
  // The bundle `npm run build` prebuilt (lib/workflow-bundle*.js) when it is current: no webpack at start.
  const workflowBundle =
    opts.workflowBundle ??
    prebuiltWorkflowBundle(
      opts.config.worker?.workflowBundle,
      dataConverter.failureConverterPath !== undefined,
      (m) => {
        Runtime.instance().logger.warn(m);
      },
    );
  const taskQueue = opts.taskQueue ?? opts.config.temporal.taskQueue;
  const activities = createActivities({ smsClient, channels });
  const routeHealthActivities = createRouteHealthActivities({ client });
  const interceptors = { activity: [activityMetricsInterceptor()] };
  // One bundle for the main and the shared-state Worker: bundled here once when there is no prebuilt one.
  const bundleOption = { workflowBundle: workflowBundle ?? (await bundleAtStart(dataConverter)) };
  const worker = await Worker.create({
    connection: opts.connection,
    namespace,
    taskQueue,
    ...bundleOption,
    activities: {
      ...activities,
      ...routeHealthActivities,
      // The plan of a message started with the request alone, from this worker's config (a local activity).
      ...createResolvePlanActivities(opts.config),
      // Opt-out lists: propagation (optOutPropagation), the check before a first send, starting propagation.
      ...createOptOutActivities({ config: opts.config, smsClient, temporal: client }),
      // Status webhooks (deliverWebhook): registered on every worker, signing with the keys of this worker's config.
      ...createWebhookActivities({ keys: webhookKeys }),
      // Registered on every worker: a message whose plan has route health on may run on a worker whose config has
      // it off (another deployment's config); it then reads "everything healthy". An unregistered local activity
      // would fail its read without a marker, and the message's history would not replay.
      readRouteHealth: routeHealth?.activities.readRouteHealth ?? readNoRouteHealth,
      // Registered on every worker for the same reason (docs/pumping.md).
      checkPumping: pumping?.checkPumping ?? checkNoPumping,
    },
    // Route health and the pumping guard: what messages report through their sinks (never called on replay).
    sinks: { ...routeHealth?.sinks, ...pumping?.sinks() },
    // Encrypted payloads and failure messages when security.encryption is configured (a prebuilt bundle
    // must then have been bundled with failureConverterPath()).
    dataConverter,
    // Sends by channel / route / outcome and failovers by level, on the Runtime's metrics endpoint.
    interceptors,
    // The config's `worker` section (cache size, concurrency, pollers); see src/workers/worker-tuning.ts.
    ...workerTuningOptions(opts.config),
    ...opts.tuning,
  });
  // Pacing: the SMS sends of paced rungs run on their originator's task queue, at its rate (docs/pacing.md).
  const pacedWorkers = await createPacedWorkers(opts.config, taskQueue, {
    connection: opts.connection,
    namespace,
    dataConverter,
    activities,
    interceptors,
  });
  // routeHealth and pumpingGuard: their signals and queries are answered by slots a burst of messages cannot take.
  const sharedStateWorker = await createSharedStateWorker(
    taskQueue,
    { connection: opts.connection, namespace, dataConverter, interceptors, ...bundleOption, ...reuseV8(opts) },
    routeHealthActivities,
  );
  routeHealth?.start();
  pumping?.start();
  return {
    worker,
    routeHealth,
    pumping,
    pacedWorkers,
    sharedStateWorker,
    runAll: () => runAllOrNone([worker, sharedStateWorker, ...pacedWorkers]),
    runUntil: (fn) => runAllUntil([worker, sharedStateWorker, ...pacedWorkers], fn),
    shutdown: () => shutdownAll([worker, sharedStateWorker, ...pacedWorkers]),
    close: () => {
      void routeHealth?.stop();
      void pumping?.stop();
      smsClient.destroyAll();
      channels.destroyAll();
    },
  };
}

export type RunWorkerOptions = ProcessOptions;

export async function runWorker(configPath?: string, opts: RunWorkerOptions = {}): Promise<void> {
  const env = opts.environment ?? readEnvironment();
  const config = loadConfig(configPathFrom(configPath, env));
  // TLS, client certificate, API key: the config's temporal section, read and tried (one short pure-JS connection)
  // before the Runtime exists: a Runtime forwarding Core's logs keeps the process alive while a native connect is
  // pending, so a bad setting or a silent server found after it would leave a process that lingers (src/temporal).
  const settings = temporalSettings(config, {
    address: opts.address ?? env.temporalAddress,
    namespace: opts.namespace,
  });
  await preflight(settings);
  // JSON logs and the Prometheus endpoint ($METRICS_PORT / --metrics-port), before the first connection.
  installObservability({ processName: 'worker', metricsPort: opts.metricsPort, environment: env });
  const connection = await connectNative(settings, { checked: true });
  Runtime.instance().logger.info(`connected to Temporal at ${describeSettings(settings)}`);
  // A use case whose protect configuration has no id for an account × Region it sends from (docs/pumping.md).
  for (const u of unprotectedScopes(config)) Runtime.instance().logger.warn(unprotectedMessage(u));
  const { runAll, close, routeHealth, pumping } = await createWorker({ config, connection, namespace: opts.namespace });
  // Route-health canaries (routeHealth.canaries): one Temporal Schedule per route, in line with this config; in the
  // background, never in the way of the worker (see src/canaries/schedules.ts).
  const client = new Client({
    connection,
    namespace: opts.namespace ?? config.temporal.namespace,
    dataConverter: dataConverterFor(config),
  });
  void syncCanariesLogged(client, config, config.temporal.taskQueue, Runtime.instance().logger);
  try {
    await runAll(); // returns after SIGINT/SIGTERM (the Runtime shuts every worker down), once in-flight tasks are done
  } finally {
    await routeHealth?.stop(); // the last observations, before the connection closes
    await pumping?.stop();
    close();
    await connection.close();
  }
}
