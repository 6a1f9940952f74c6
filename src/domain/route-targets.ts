/**
 * What an operator may name when draining (`resilient-sms routes drain <target>`, `POST /routes/drain`): a health
 * key of src/domain/route-health.ts, or a friendlier form mapped with the config. Pure; used by src/health/operators.ts.
 *
 * Accepted forms, tried in this order:
 * 1. a health key: `region:us-east-1`, `route:primary/us-east-1`, `originator:primary/us-east-1/pool-x@US` (or `@*`);
 * 2. a config route id (`primary-use1`) -> `route:<account>/<region>` of that route;
 * 3. a Region some route uses (`us-east-1`) -> `region:us-east-1`;
 * 4. an originator identity as the config writes it (`pool-us-shortcode`, `+12065550100`, an ARN) -> every
 *    `originator:<account>/<region>/<identity>@*` key of the routes that use it (SMS and voice originators).
 * Every key must name something the config has: a drain of a key no message can have is a typo, not a no-op.
 */
import type { Config, OriginatorConfig } from './config';
import { originatorKey, regionKey, routeKey } from './route-health';

/** A target that names nothing the config has, or is malformed. The CLI exits 2 on it; the API answers 400. */
export class BadTargetError extends Error {
  override readonly name = 'BadTargetError';
  constructor(
    readonly target: string,
    reason: string,
  ) {
    super(`bad target ${JSON.stringify(target)}: ${reason}. ${TARGET_FORMS}`);
  }
}

export const TARGET_FORMS =
  'A target is a health key (region:<region>, route:<account>/<region>, ' +
  'originator:<account>/<region>/<originator>@<country or *>), a config route id, a Region the config uses, ' +
  'or an originator identity from the config';

/** Longest target accepted (an originator ARN is at most 256 characters, plus account, Region and country). */
export const MAX_TARGET_LENGTH = 512;

interface OriginatorUse {
  account: string;
  region: string;
  identity: string;
  /** The country keys (ISO code or `*`) it is configured for. */
  countries: Set<string>;
}

/** Every originator of the config (SMS and voice) with its route's account and Region. */
function originatorUses(config: Config): OriginatorUse[] {
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const uses = new Map<string, OriginatorUse>();
  const add = (country: string, o: OriginatorConfig) => {
    const route = routes.get(o.route);
    if (!route) return;
    const id = `${route.account}/${route.region}/${o.identity}`;
    const use = uses.get(id) ?? {
      account: route.account,
      region: route.region,
      identity: o.identity,
      countries: new Set<string>(),
    };
    use.countries.add(country);
    uses.set(id, use);
  };
  for (const [country, list] of Object.entries(config.originators)) list.forEach((o) => add(country, o));
  for (const [country, list] of Object.entries(config.channels.voice?.originators ?? {})) {
    list.forEach((o) => add(country, o));
  }
  return [...uses.values()];
}

function configRegions(config: Config): string[] {
  return [...new Set(config.routes.map((r) => r.region))];
}

function regionKeyOf(config: Config, target: string, region: string): string {
  const regions = configRegions(config);
  if (!regions.includes(region)) {
    throw new BadTargetError(
      target,
      `no route of the config is in Region "${region}" (Regions: ${regions.join(', ')})`,
    );
  }
  return regionKey(region);
}

function routeKeyOf(config: Config, target: string, rest: string): string {
  const m = /^([^/]+)\/([^/]+)$/.exec(rest);
  if (!m) throw new BadTargetError(target, 'a route key is route:<account>/<region>');
  const [, account, region] = m;
  if (!config.routes.some((r) => r.account === account && r.region === region)) {
    const known = config.routes.map((r) => `${r.account}/${r.region}`).join(', ');
    throw new BadTargetError(
      target,
      `no route of the config is account "${account}" in "${region}" (routes: ${known})`,
    );
  }
  return routeKey(account, region);
}

function originatorKeyOf(config: Config, target: string, rest: string): string {
  // The identity may itself contain '/' and ':' (an ARN), never '@': account/region/<identity>@<country>.
  const m = /^([^/]+)\/([^/]+)\/(.+)@([A-Z]{2}|\*)$/.exec(rest);
  if (!m) {
    throw new BadTargetError(target, 'an originator key is originator:<account>/<region>/<originator>@<country or *>');
  }
  const [, account, region, identity, country] = m;
  const use = originatorUses(config).find(
    (u) => u.account === account && u.region === region && u.identity === identity,
  );
  if (!use) {
    throw new BadTargetError(target, `no originator "${identity}" on a route of account "${account}" in "${region}"`);
  }
  if (country !== '*' && !use.countries.has(country) && !use.countries.has('*')) {
    const countries = [...use.countries].join(', ');
    throw new BadTargetError(target, `originator "${identity}" is not configured for ${country} (only: ${countries})`);
  }
  return originatorKey(account, region, identity, country);
}

/**
 * The health keys `target` names (deduplicated, at least one), or a BadTargetError naming the target and the
 * accepted forms.
 */
export function resolveTarget(config: Config, rawTarget: unknown): string[] {
  if (typeof rawTarget !== 'string') throw new BadTargetError(String(rawTarget), 'must be a string');
  const target = rawTarget.trim();
  if (target === '') throw new BadTargetError(rawTarget, 'must not be empty');
  if (target.length > MAX_TARGET_LENGTH) {
    throw new BadTargetError(`${target.slice(0, 40)}…`, `must be at most ${MAX_TARGET_LENGTH} characters`);
  }
  if (target.startsWith('region:')) return [regionKeyOf(config, target, target.slice('region:'.length))];
  if (target.startsWith('route:')) return [routeKeyOf(config, target, target.slice('route:'.length))];
  if (target.startsWith('originator:')) return [originatorKeyOf(config, target, target.slice('originator:'.length))];
  const route = config.routes.find((r) => r.id === target);
  if (route) return [routeKey(route.account, route.region)];
  if (configRegions(config).includes(target)) return [regionKey(target)];
  const uses = originatorUses(config).filter((u) => u.identity === target);
  if (uses.length > 0) return [...new Set(uses.map((u) => originatorKey(u.account, u.region, u.identity, '*')))];
  throw new BadTargetError(target, 'it is not a health key, a route id, a Region or an originator of the config');
}
