/**
 * The environment variables the processes read, in one place, read once. Everything else gets these values
 * as parameters: a process entry point calls `readEnvironment()` next to `loadConfig()` and passes them on.
 *
 *   RESILIENT_SMS_CONFIG  the config file, when --config is not given
 *   TEMPORAL_ADDRESS      the Temporal frontend, over the config's temporal.address (--address wins over both)
 *   LOG_LEVEL             trace | debug | info | warn | error (default info)
 *   METRICS_PORT          the Prometheus endpoint's port, when --metrics-port is not given
 *   METRICS_HOST          the address it listens on (default 0.0.0.0)
 */
export const CONFIG_ENV = 'RESILIENT_SMS_CONFIG';

export interface Environment {
  configPath?: string;
  temporalAddress?: string;
  logLevel?: string;
  metricsPort?: string;
  metricsHost?: string;
}

/** A non-empty value, or undefined: an exported but empty variable counts as unset. */
function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return {
    configPath: value(env, CONFIG_ENV),
    temporalAddress: value(env, 'TEMPORAL_ADDRESS'),
    logLevel: value(env, 'LOG_LEVEL'),
    metricsPort: value(env, 'METRICS_PORT'),
    metricsHost: value(env, 'METRICS_HOST'),
  };
}

/** What a long-running process's entry (worker, ingester) takes from the command line and the environment. */
export interface ProcessOptions {
  /** Prometheus port; default $METRICS_PORT (none when unset). */
  metricsPort?: number;
  /** Temporal frontend (--address or $TEMPORAL_ADDRESS); default the config's temporal.address. */
  address?: string;
  /** Default the config's temporal.namespace. */
  namespace?: string;
  /** The environment the process entry read (LOG_LEVEL, METRICS_*); read here when absent. */
  environment?: Environment;
}
