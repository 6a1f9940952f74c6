/**
 * Protect configurations in the simulator, as AWS End User Messaging SMS documents them (sources in
 * docs/aws-end-user-messaging.md#protect-configurations): per protect configuration, a country rule per destination
 * country, one of the SDK model's `ProtectStatus` values, `ALLOW` (the default), `BLOCK`, `MONITOR`, `FILTER`, and
 * phone number overrides (`ALLOW` / `BLOCK`). A send that names one (`ProtectConfigurationId`):
 *
 * - number override `BLOCK` → refused: ConflictException `DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE`;
 *   override `ALLOW` → sent whatever the country rule;
 * - country `BLOCK` → refused: ConflictException `DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION`;
 * - country `FILTER` → accepted; a destination AWS's model "suspects as AIT" (here: one of `aitPrefixes`, standing in
 *   for the model) gets the final event `TEXT_PROTECT_BLOCKED` and is never delivered;
 * - country `MONITOR` → accepted and delivered; an AIT-suspected destination is noted on the message log
 *   (`protect: "MONITOR: would block"`), as AWS puts its blocking recommendation in metrics and events only.
 *
 * At start the simulator registers the config's `protectConfigurations` (src/domain/protect-config.ts) under each of
 * their ids, with the stand-in AIT prefixes `DEFAULT_AIT_PREFIXES` (`registerConfigured`), so the local stack enforces
 * what the config declares. Set (or replace) one with `PUT /_sim/protect-configurations/<id>`
 * `{ "sms": { "GB": "FILTER" }, "aitPrefixes": ["+44700"], "numberOverrides": { "+447700900123": "BLOCK" } }`; `GET`
 * lists, `DELETE` removes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseOrThrow } from '../domain/errors';
import { PROTECT_STATUSES, type ProtectConfigurationsConfig } from '../domain/protect-config';
import { HttpError, sendJson, type Route } from './http';
import type { Emit } from './log';

/**
 * The destinations the simulator's stand-in for AWS's AIT model suspects in a protect configuration registered from
 * the config: two ranges this project picked, US premium rate (`+1900`, also the pumping game day's prefix) and UK
 * personal numbers (`+4470`). Simulator-only: AWS does not publish which numbers its model suspects; `PUT` sets others.
 */
export const DEFAULT_AIT_PREFIXES: readonly string[] = ['+1900', '+4470'];

const protectConfigurationSchema = z
  .object({
    sms: z.record(z.string().regex(/^[A-Z]{2}$/, 'a country code such as GB'), z.enum(PROTECT_STATUSES)).default({}),
    aitPrefixes: z
      .array(z.string().regex(/^\+[0-9]{1,15}$/, 'a number prefix such as +44700'))
      .max(1000)
      .default([]),
    numberOverrides: z
      .record(z.string().regex(/^\+[0-9]{6,15}$/, 'an E.164 number'), z.enum(['ALLOW', 'BLOCK']))
      .default({}),
  })
  .strict();
export type SimProtectConfiguration = z.output<typeof protectConfigurationSchema>;

export type ProtectVerdict =
  { kind: 'refuse'; reason: string; message: string } | { kind: 'filter' } | { kind: 'monitor' } | undefined;

export class ProtectConfigurations {
  private readonly configs = new Map<string, SimProtectConfiguration>();

  set(id: string, body: unknown): SimProtectConfiguration {
    const cfg = parseOrThrow(protectConfigurationSchema, body, `protect configuration ${id}`);
    this.configs.set(id, cfg);
    return cfg;
  }

  list(): Record<string, SimProtectConfiguration> {
    return Object.fromEntries(this.configs);
  }

  delete(id: string): boolean {
    return this.configs.delete(id);
  }

  clear(): void {
    this.configs.clear();
  }

  /** What protect configuration `id` does to an SMS to `destination` in `country` (undefined: nothing). */
  verdict(id: string | undefined, destination: string, country: string | undefined): ProtectVerdict {
    const cfg = id === undefined ? undefined : this.configs.get(id);
    if (!cfg) return undefined;
    const override = cfg.numberOverrides[destination];
    if (override === 'BLOCK') {
      return {
        kind: 'refuse',
        reason: 'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
        message: `The destination phone number is blocked by a number override of protect configuration ${id}`,
      };
    }
    if (override === 'ALLOW') return undefined;
    const status = (country && cfg.sms[country]) || 'ALLOW';
    if (status === 'BLOCK') {
      return {
        kind: 'refuse',
        reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
        message: `The destination country ${country} is blocked by protect configuration ${id}`,
      };
    }
    const suspected = cfg.aitPrefixes.some((p) => destination.startsWith(p));
    if (!suspected) return undefined;
    return status === 'FILTER' ? { kind: 'filter' } : status === 'MONITOR' ? { kind: 'monitor' } : undefined;
  }
}

/**
 * The config's protect configurations, each under every id it has (`ids`: one per account × Region; a send names the
 * id of its own), with its SMS country rules and `aitPrefixes`. Returns the ids registered.
 */
export function registerConfigured(
  store: ProtectConfigurations,
  sections: ProtectConfigurationsConfig | undefined,
  aitPrefixes: readonly string[] = DEFAULT_AIT_PREFIXES,
): { id: string; name: string }[] {
  const registered: { id: string; name: string }[] = [];
  for (const [name, section] of Object.entries(sections ?? {})) {
    for (const id of new Set(Object.values(section.ids))) {
      store.set(id, { sms: section.sms, aitPrefixes: [...aitPrefixes] });
      registered.push({ id, name });
    }
  }
  return registered;
}

/** `/_sim/protect-configurations[/<id>]`. */
export function protectRoute(store: ProtectConfigurations, emit: Emit): Route {
  const base = '/_sim/protect-configurations';
  return {
    matches: (_req, url) => url.pathname === base || url.pathname.startsWith(`${base}/`),
    handle(req: IncomingMessage, res: ServerResponse, url: URL, raw: string) {
      const id = url.pathname.slice(base.length + 1) || undefined;
      const method = req.method ?? 'GET';
      if (id !== undefined && !/^[A-Za-z0-9_:/-]{1,256}$/.test(id))
        throw new HttpError(400, `bad protect configuration id`);
      if (id === undefined) {
        if (method !== 'GET') throw new HttpError(405, `${method} not allowed on ${base} (allowed: GET)`);
        return sendJson(res, 200, { protectConfigurations: store.list() });
      }
      if (method === 'PUT') {
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch (err) {
          throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
        }
        const cfg = store.set(id, body);
        emit('info', 'protect configuration set', { id, cfg });
        return sendJson(res, 200, { id, ...cfg });
      }
      if (method === 'DELETE') return sendJson(res, store.delete(id) ? 200 : 404, { id });
      throw new HttpError(405, `${method} not allowed on ${url.pathname} (allowed: PUT, DELETE)`);
    },
  };
}
