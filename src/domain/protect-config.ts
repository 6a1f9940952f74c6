/**
 * The `protectConfigurations` section: AWS End User Messaging protect configurations (SMS pumping defence), declared by
 * name with their SMS country rules, and the id AWS gave each one in every account × Region it exists in. A policy
 * names one (`policies.<useCase>.protectConfiguration`); each SMS and voice send of that use case then carries the id
 * of its own account × Region as `ProtectConfigurationId` (a protect configuration belongs to one account and Region,
 * docs/aws-end-user-messaging.md#protect-configurations). `infra synth` creates them (src/infra/protect.ts), the
 * simulator enforces them (src/simulator/protect.ts); a scope without an id is a warning (`unprotectedScopes`).
 */
import ct from 'countries-and-timezones';
import { z } from 'zod';
import type { Channel } from './channel';
import { nameSchema, type OriginatorConfig, type RouteConfig } from './config-base';
import { ownValue } from './own';
import { protectConfigurationIdSchema } from './send-parameters';

/**
 * A country rule's mode: `ProtectStatus` of the SDK model (@aws-sdk/client-pinpoint-sms-voice-v2, models/enums:
 * `ALLOW`, `BLOCK`, `FILTER`, `MONITOR`), the same values CloudFormation's `CountryRule.ProtectStatus` allows
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-smsvoice-protectconfiguration-countryrule.html).
 */
export const PROTECT_STATUSES = ['ALLOW', 'BLOCK', 'MONITOR', 'FILTER'] as const;
export type ProtectStatus = (typeof PROTECT_STATUSES)[number];

/** `CountryRule.CountryCode`: "The two-character code, in ISO 3166-1 alpha-2 format" (pattern `^[A-Z]{2}$`). */
export const protectCountrySchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as GB')
  .refine((code) => ct.getCountry(code) !== null, 'is not an ISO 3166-1 alpha-2 country code');

/** `<account>/<region>`: the account × Region a protect configuration id belongs to. */
export const protectScopeKeySchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/[a-z]{2}(-gov)?-[a-z]+-\d$/,
    'must be "<account>/<region>" such as "primary/us-east-1"',
  );

export const protectConfigurationSchema = z
  .object({
    /** SMS country rules: country → mode; a country not listed is ALLOW (AWS's default). */
    sms: z
      .record(protectCountrySchema, z.enum(PROTECT_STATUSES))
      .refine((rules) => Object.keys(rules).length > 0, 'at least one country rule'),
    /** The id (or ARN) AWS gave it in each account × Region: the output `infra synth` prints for it. */
    ids: z.record(protectScopeKeySchema, protectConfigurationIdSchema).default({}),
  })
  .strict();

export const protectConfigurationsSchema = z.record(nameSchema, protectConfigurationSchema);
export type ProtectConfigurationConfig = z.output<typeof protectConfigurationSchema>;
export type ProtectConfigurationsConfig = z.output<typeof protectConfigurationsSchema>;

/** The parts of the config this module reads (structural: src/domain/config.ts imports this module). */
export interface ProtectConfigInput {
  accounts: Record<string, { accountId?: string }>;
  routes: RouteConfig[];
  originators: Record<string, OriginatorConfig[]>;
  channels: { voice?: { originators: Record<string, OriginatorConfig[]> } };
  policies: Record<
    string,
    {
      channels: Channel[];
      allowedCountries?: string[];
      protectConfiguration?: string;
      protectConfigurationId?: string;
    }
  >;
  protectConfigurations?: ProtectConfigurationsConfig;
}

export const scopeKey = (account: string, region: string): string => `${account}/${region}`;

/** The SMS and voice originator tables a use case sends from, with the countries it may send to. */
function tablesOf(config: ProtectConfigInput, useCase: string): Record<string, OriginatorConfig[]>[] {
  const policy = config.policies[useCase];
  const tables: Record<string, OriginatorConfig[]>[] = [];
  if (policy.channels.includes('sms')) tables.push(config.originators);
  if (policy.channels.includes('voice') && config.channels.voice) tables.push(config.channels.voice.originators);
  return tables;
}

/**
 * The accounts × Regions (`<account>/<region>`) a use case's SMS and voice sends can go out from: the routes of the
 * originators of its channels, for the countries it may send to (`allowedCountries`; the `*` entry counts when an
 * allowed country has no entry of its own).
 */
export function protectScopes(config: ProtectConfigInput, useCase: string): string[] {
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const allowed = config.policies[useCase].allowedCountries;
  const scopes = new Set<string>();
  for (const table of tablesOf(config, useCase)) {
    for (const [country, list] of Object.entries(table)) {
      const used =
        allowed === undefined ||
        (country === '*' ? allowed.some((c) => !ownValue(table, c)) : allowed.includes(country));
      if (!used) continue;
      for (const o of list) {
        const route = routes.get(o.route);
        if (route) scopes.add(scopeKey(route.account, route.region));
      }
    }
  }
  return [...scopes];
}

/** A use case whose protect configuration has no id in an account × Region it sends from. */
export interface UnprotectedScope {
  useCase: string;
  name: string;
  scope: string;
}

/** Every use case × scope that sends without its protect configuration (no id yet: `infra synth`, then the output). */
export function unprotectedScopes(config: ProtectConfigInput): UnprotectedScope[] {
  const out: UnprotectedScope[] = [];
  for (const [useCase, policy] of Object.entries(config.policies)) {
    const name = policy.protectConfiguration;
    const section = name === undefined ? undefined : ownValue(config.protectConfigurations, name);
    if (name === undefined || !section) continue;
    for (const scope of protectScopes(config, useCase)) {
      if (!ownValue(section.ids, scope)) out.push({ useCase, name, scope });
    }
  }
  return out;
}

/** The warning for one unprotected scope (config check, worker start). */
export function unprotectedMessage(u: UnprotectedScope): string {
  return (
    `use case "${u.useCase}" sends SMS and voice from ${u.scope} without its protect configuration "${u.name}": ` +
    `protectConfigurations.${u.name}.ids has no "${u.scope}" (deploy the template of infra synth and write its ` +
    `output there); until then those sends carry no ProtectConfigurationId`
  );
}

/** The ids a plan carries: the use case's protect configuration in each account × Region of its rungs that has one. */
export function protectIdsForRungs(
  config: Pick<ProtectConfigInput, 'protectConfigurations'>,
  name: string | undefined,
  rungs: readonly { channel: Channel; account: string; region: string }[],
): Record<string, string> | undefined {
  const section = name === undefined ? undefined : ownValue(config.protectConfigurations, name);
  if (!section) return undefined;
  const ids: Record<string, string> = {};
  for (const rung of rungs) {
    if (rung.channel !== 'sms' && rung.channel !== 'voice') continue;
    const key = scopeKey(rung.account, rung.region);
    const id = ownValue(section.ids, key);
    if (id !== undefined) ids[key] = id;
  }
  return Object.keys(ids).length > 0 ? ids : undefined;
}

type Issue = { path: (string | number)[]; message: string };

/** `arn:<partition>:sms-voice:<region>:<account id>:protect-configuration/<id>`. */
const PROTECT_ARN = /^arn:aws[a-z-]*:sms-voice:([a-z0-9-]+):(\d{12}):protect-configuration\/[A-Za-z0-9_-]+$/;

/** An id of one scope: a known account, and an ARN of that Region (and account, when the config has its id). */
function idIssues(config: ProtectConfigInput, name: string, key: string, id: string): Issue[] {
  const path = ['protectConfigurations', name, 'ids', key];
  const [account, region] = key.split('/');
  const known = ownValue(config.accounts, account);
  if (!known) return [{ path, message: `unknown account "${account}" in "${key}"` }];
  if (!id.startsWith('arn:')) return [];
  const m = PROTECT_ARN.exec(id);
  if (!m) return [{ path, message: 'is not a protect configuration ARN (…:protect-configuration/<id>)' }];
  if (m[1] !== region) return [{ path, message: `the ARN is in ${m[1]}, but the key's Region is ${region}` }];
  if (known.accountId !== undefined && m[2] !== known.accountId) {
    return [{ path, message: `the ARN is of account ${m[2]}, not ${account}'s ${known.accountId}` }];
  }
  return [];
}

/** What the schema alone cannot say: references between policies and this section, and each id's scope. */
export function protectConfigIssues(config: ProtectConfigInput): Issue[] {
  const issues: Issue[] = [];
  const names = Object.keys(config.protectConfigurations ?? {});
  for (const [useCase, policy] of Object.entries(config.policies)) {
    const name = policy.protectConfiguration;
    if (name === undefined) continue;
    const path = ['policies', useCase, 'protectConfiguration'];
    if (policy.protectConfigurationId !== undefined) {
      issues.push({
        path,
        message:
          'give protectConfiguration (a name under protectConfigurations) or protectConfigurationId (an existing id), not both',
      });
    } else if (!ownValue(config.protectConfigurations, name)) {
      issues.push({
        path,
        message: `unknown protect configuration "${name}" (${names.length > 0 ? `configured: ${names.join(', ')}` : 'the config has no protectConfigurations section'})`,
      });
    }
  }
  const owners = new Map<string, string>();
  for (const [name, section] of Object.entries(config.protectConfigurations ?? {})) {
    for (const [key, id] of Object.entries(section.ids)) {
      issues.push(...idIssues(config, name, key, id));
      const owner = owners.get(id);
      if (owner !== undefined && owner !== name) {
        issues.push({
          path: ['protectConfigurations', name, 'ids', key],
          message: `"${id}" is also protectConfigurations.${owner}'s: one protect configuration has one set of rules`,
        });
      }
      owners.set(id, name);
    }
  }
  return issues;
}
