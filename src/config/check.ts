/**
 * `resilient-sms config check`: what AWS, or the escalation article this project implements, would object to in a
 * config that the schema alone lets through (and, when the schema refuses the config, the schema's own errors with
 * their paths). Pure: a config in, findings out; the command is src/cli/config-check.ts. Rules (docs/runbook.md):
 * - `schema` (error): what the schema refuses (src/domain/config.ts), path by path;
 * - `max-price` (error): a `maxPrice` / `maxPricePerMinute` SendTextMessage / SendVoiceMessage would refuse (pattern
 *   `[0-9]{0,2}\.[0-9]{1,5}`, src/domain/send-parameters.ts), reported from the file as written, schema or not;
 * - `configuration-set` (error): a route without a configuration set: no delivery events, every step times out;
 * - `receipt-queue` (error): a route whose account × Region has no `dlrQueues` entry: its receipts reach nobody;
 * - `configuration-set-name` (error): a configuration set name the API's `ConfigurationSetNameOrArn` pattern refuses;
 * - `originator-types` (warning): a country with fewer than two originator types in a Region (the article's minimum:
 *   one filtered originator type must not leave the Region without a path);
 * - `ram-shared-by-arn` (error): a RAM-shared pool or number used by its bare id (the sender's account does not own
 *   it: only the full ARN finds it), or an ARN of another Region (RAM shares within a Region); (warning) another
 *   account's ARN not marked `shared`;
 * - `otp-ttl` (warning): a one-time-password use case (`messageFeedback`, or named `otp`) whose TTL outlives its
 *   step wait: after a failover the first, stale code can still arrive after the new one;
 * - `keyword` (warning): a `keyword` but no US short code to send it from (the API takes it for US short codes only);
 * - `country-parameters` (warning): `destinationCountryParameters` for a country the config has no originators for;
 * - `receipt-queue-unused` (warning): a `dlrQueues` entry for an account × Region no route sends from;
 * - `protect-configuration-id` (warning): a use case's protect configuration (`policies.<useCase>.protectConfiguration`)
 *   has no id for an account × Region the use case sends from: its SMS and voice sends there carry no
 *   `ProtectConfigurationId` until the id from `infra synth`'s output is written into `protectConfigurations.<name>.ids`
 *   (the worker logs the same warning at start); `protect-configuration-unused` (warning): one no policy names.
 */
import { configSchema, type Config, type OriginatorConfig } from '../domain/config';
import { InvalidInputError, parseOrThrow } from '../domain/errors';
import { ownValue } from '../domain/own';
import { unprotectedMessage, unprotectedScopes } from '../domain/protect-config';
import { DESTINATION_COUNTRY_PARAMETER_COUNTRIES, maxPriceProblem } from '../domain/send-parameters';

export type Severity = 'error' | 'warning';

export interface ConfigFinding {
  severity: Severity;
  /** The field, as the schema's errors name it: `policies.otp.maxPrice`, `routes[0].configurationSet`. */
  path: string;
  rule: string;
  message: string;
}

/** The API's `ConfigurationSetNameOrArn`: 1-256 characters of `[A-Za-z0-9_:/-]`. */
const CONFIGURATION_SET_PATTERN = /^[A-Za-z0-9_:/-]{1,256}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every finding for a config as written (`raw`: the parsed file, before the schema). */
export function checkConfigSource(raw: unknown): ConfigFinding[] {
  const findings = rawPriceFindings(raw);
  let config: Config;
  try {
    config = parseOrThrow(configSchema, raw, 'config');
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    const schema = err.issues.map((i): ConfigFinding => ({
      severity: 'error',
      path: i.path,
      rule: 'schema',
      message: i.message,
    }));
    // The price rule names the same field with the API's reason; keep one line per field.
    const priced = new Set(findings.map((f) => f.path));
    return [...findings, ...schema.filter((f) => !priced.has(f.path))];
  }
  return [...findings, ...checkConfig(config)];
}

/** `maxPrice` / `maxPricePerMinute` as written: a YAML number (0.50 unquoted) or a string the API refuses. */
function rawPriceFindings(raw: unknown): ConfigFinding[] {
  const policies = isRecord(raw) && isRecord(raw.policies) ? raw.policies : {};
  const findings: ConfigFinding[] = [];
  for (const [useCase, policy] of Object.entries(policies)) {
    if (!isRecord(policy)) continue;
    for (const field of ['maxPrice', 'maxPricePerMinute']) {
      const value = policy[field];
      if (value === undefined) continue;
      const path = `policies.${useCase}.${field}`;
      const problem =
        typeof value === 'string'
          ? maxPriceProblem(value)
          : `must be a quoted string such as "0.50" (got ${typeof value} ${JSON.stringify(value)}; the API takes a string)`;
      if (problem) findings.push({ severity: 'error', path, rule: 'max-price', message: problem });
    }
  }
  return findings;
}

/** Every finding for a config the schema accepted. */
export function checkConfig(config: Config): ConfigFinding[] {
  return [
    ...routeFindings(config),
    ...originatorTypeFindings(config),
    ...sharedOriginatorFindings(config),
    ...policyFindings(config),
    ...protectFindings(config),
  ];
}

/** Use cases that would send unprotected from some account × Region, and protect configurations nobody uses. */
function protectFindings(config: Config): ConfigFinding[] {
  const findings = unprotectedScopes(config).map((u): ConfigFinding => ({
    severity: 'warning',
    path: `protectConfigurations.${u.name}.ids`,
    rule: 'protect-configuration-id',
    message: unprotectedMessage(u),
  }));
  const used = new Set(Object.values(config.policies).map((p) => p.protectConfiguration));
  for (const name of Object.keys(config.protectConfigurations ?? {})) {
    if (used.has(name)) continue;
    findings.push({
      severity: 'warning',
      path: `protectConfigurations.${name}`,
      rule: 'protect-configuration-unused',
      message: `no policy names it (policies.<useCase>.protectConfiguration: ${name}), so no send carries it`,
    });
  }
  return findings;
}

const key = (account: string, region: string) => `${account}/${region}`;

function routeFindings(config: Config): ConfigFinding[] {
  const findings: ConfigFinding[] = [];
  const queues = new Set(config.dlrQueues.map((q) => key(q.account, q.region)));
  const routes = new Set(config.routes.map((r) => key(r.account, r.region)));
  config.routes.forEach((route, i) => {
    const path = `routes[${i}]`;
    if (!route.configurationSet) {
      findings.push({
        severity: 'error',
        path: `${path}.configurationSet`,
        rule: 'configuration-set',
        message: `route "${route.id}" has no configuration set: its sends publish no delivery events, so every step on it waits out its stepWait`,
      });
    } else if (!CONFIGURATION_SET_PATTERN.test(route.configurationSet)) {
      findings.push({
        severity: 'error',
        path: `${path}.configurationSet`,
        rule: 'configuration-set-name',
        message: `"${route.configurationSet}" is not a configuration set name or ARN the API takes ([A-Za-z0-9_:/-]+)`,
      });
    }
    if (!queues.has(key(route.account, route.region))) {
      findings.push({
        severity: 'error',
        path,
        rule: 'receipt-queue',
        message: `no dlrQueues entry for ${route.account} in ${route.region}: the receipts of route "${route.id}" reach no ingester, so every step on it waits out its stepWait`,
      });
    }
  });
  config.dlrQueues.forEach((q, i) => {
    if (!routes.has(key(q.account, q.region))) {
      findings.push({
        severity: 'warning',
        path: `dlrQueues[${i}]`,
        rule: 'receipt-queue-unused',
        message: `no route sends from ${q.account} in ${q.region}`,
      });
    }
  });
  return findings;
}

/** SMS originator tables: `originators` and voice's. */
function originatorTables(config: Config): { base: string; table: Record<string, OriginatorConfig[]> }[] {
  return [
    { base: 'originators', table: config.originators },
    ...(config.channels.voice
      ? [{ base: 'channels.voice.originators', table: config.channels.voice.originators }]
      : []),
  ];
}

function originatorTypeFindings(config: Config): ConfigFinding[] {
  const regionOf = new Map(config.routes.map((r) => [r.id, r.region]));
  const findings: ConfigFinding[] = [];
  for (const [country, list] of Object.entries(config.originators)) {
    const types = new Map<string, Set<string>>();
    for (const o of list) {
      const region = regionOf.get(o.route)!;
      types.set(region, (types.get(region) ?? new Set()).add(o.type));
    }
    for (const [region, set] of types) {
      if (set.size >= 2) continue;
      findings.push({
        severity: 'warning',
        path: `originators.${country}`,
        rule: 'originator-types',
        message: `${country} has one originator type in ${region} (${[...set].join(', ')}): when carriers filter it, the Region has no other path (the article's minimum is two types per Region)`,
      });
    }
  }
  return findings;
}

/** `arn:aws:sms-voice:<region>:<account>:<type>/<id>` -> its parts. */
function arnParts(identity: string): { region: string; accountId: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:sms-voice:([a-z0-9-]+):(\d{12}):[a-z-]+\/(.+)$/.exec(identity);
  return m ? { region: m[1], accountId: m[2], id: m[3] } : undefined;
}

function sharedOriginatorFindings(config: Config): ConfigFinding[] {
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const findings: ConfigFinding[] = [];
  for (const { base, table } of originatorTables(config)) {
    // Bare ids per Region, with the accounts that use them: one id used by two accounts is one account's resource.
    const bare = new Map<string, Set<string>>();
    for (const list of Object.values(table)) {
      for (const o of list) {
        const route = routes.get(o.route)!;
        if (!o.identity.startsWith('arn:') && o.kind === 'pool') {
          const k = key(route.region, o.identity);
          bare.set(k, (bare.get(k) ?? new Set()).add(route.account));
        }
      }
    }
    for (const [country, list] of Object.entries(table)) {
      list.forEach((o, i) => {
        const path = `${base}.${country}[${i}].identity`;
        const route = routes.get(o.route)!;
        const f = sharedFinding(config, o, route.account, route.region, bare.get(key(route.region, o.identity)));
        if (f) findings.push({ ...f, path, rule: 'ram-shared-by-arn' });
      });
    }
  }
  return findings;
}

function sharedFinding(
  config: Config,
  o: OriginatorConfig,
  account: string,
  region: string,
  accountsOfBareId: Set<string> | undefined,
): { severity: Severity; message: string } | undefined {
  const arn = arnParts(o.identity);
  if (!arn) {
    if (accountsOfBareId && accountsOfBareId.size > 1) {
      return {
        severity: 'error',
        message: `pool "${o.identity}" is used by accounts ${[...accountsOfBareId].join(', ')} in ${region}: a pool belongs to one account, so the others reach it through AWS RAM and must name it by its full ARN`,
      };
    }
    return undefined;
  }
  if (arn.region !== region) {
    return {
      severity: 'error',
      message: `the ARN is in ${arn.region}, the route in ${region}: AWS RAM shares End User Messaging resources within a Region only`,
    };
  }
  const ownId = ownValue(config.accounts, account)?.accountId;
  if (ownId !== undefined && arn.accountId !== ownId && !o.shared) {
    return {
      severity: 'warning',
      message: `the ARN belongs to account ${arn.accountId}, not ${account} (${ownId}): mark it shared: true (RAM-shared)`,
    };
  }
  return undefined;
}

function policyFindings(config: Config): ConfigFinding[] {
  const findings: ConfigFinding[] = [];
  const usShortCode = (config.originators.US ?? config.originators['*'] ?? []).some((o) => o.type === 'short-code');
  for (const [useCase, policy] of Object.entries(config.policies)) {
    const base = `policies.${useCase}`;
    const otp = policy.messageFeedback || useCase === 'otp';
    if (otp && policy.ttl > policy.stepWait) {
      findings.push({
        severity: 'warning',
        path: `${base}.ttl`,
        rule: 'otp-ttl',
        message: `the SMS lives ${policy.ttl / 1000}s, longer than the ${policy.stepWait / 1000}s step wait: after a failover the first code can still arrive, stale, after the new one (a ttl at most stepWait avoids it)`,
      });
    }
    if (policy.keyword !== undefined && !usShortCode) {
      findings.push({
        severity: 'warning',
        path: `${base}.keyword`,
        rule: 'keyword',
        message: 'no US short code is configured: SendTextMessage takes Keyword from registered US short codes only',
      });
    }
    for (const k of Object.keys(policy.destinationCountryParameters ?? {})) {
      const country =
        DESTINATION_COUNTRY_PARAMETER_COUNTRIES[k as keyof typeof DESTINATION_COUNTRY_PARAMETER_COUNTRIES];
      if (!ownValue(config.originators, country) && !config.originators['*']) {
        findings.push({
          severity: 'warning',
          path: `${base}.destinationCountryParameters.${k}`,
          rule: 'country-parameters',
          message: `${k} applies to ${country} numbers, and no originators are configured for ${country}`,
        });
      }
    }
  }
  return findings;
}
