/**
 * The one configuration file: accounts, routes, originators per country, policies per use case,
 * DLR queues, and where Temporal is. Schema first; the TypeScript types are inferred from it.
 */
import { z } from 'zod';
import { checkOptOuts, optOutsSchema } from './opt-out-config';
import { routeHealthSchema } from './route-health-config';
import { pumpingProblems, pumpingSchema } from './pumping-config';
import { securitySchema } from './config-security';
import { ownValue } from './own';
import {
  accountSchema,
  countryKeySchema,
  nameSchema,
  originatorSchema,
  policyNameSchema,
  routeSchema,
  snsQueueSchema,
} from './config-base';
import { channelsSchema } from './config-channels';
import { policySchema } from './config-policy';
import { protectConfigIssues, protectConfigurationsSchema } from './protect-config';
import { ingesterTuningSchema, temporalSchema, workerTuningSchema } from './config-process';
import { checkWebhookKeys } from './webhook-config';

export * from './config-base';
export * from './config-channels';
export * from './config-policy';
export * from './config-process';
export * from './protect-config';

/**
 * One DLR queue per account x Region: the configuration set's event destination publishes to an
 * SNS topic, and this SQS queue subscribes to it (with or without raw message delivery).
 */
export const dlrQueueSchema = snsQueueSchema;

export const configSchema = z
  .object({
    temporal: temporalSchema.default({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'resilient-sms' }),
    accounts: z.record(nameSchema, accountSchema).refine((a) => Object.keys(a).length > 0, 'at least one account'),
    routes: z.array(routeSchema).min(1),
    /** Originators per destination country in preference order; `*` applies to every other country. */
    originators: z.record(countryKeySchema, z.array(originatorSchema).min(1)),
    policies: z.record(policyNameSchema, policySchema).refine((p) => Object.keys(p).length > 0, 'at least one policy'),
    dlrQueues: z.array(dlrQueueSchema).default([]),
    security: securitySchema.default({}),
    channels: channelsSchema.default({}),
    worker: workerTuningSchema.optional(),
    ingester: ingesterTuningSchema.optional(),
    /** Breakers shared across messages, AWS Health events, canaries (src/domain/route-health-config.ts). */
    routeHealth: routeHealthSchema.optional(),
    /** Opt-out lists kept in sync, two-way SMS inbound queues (src/domain/opt-out-config.ts). */
    optOuts: optOutsSchema.optional(),
    /** The SMS pumping guard: velocity limits, conversion watch (src/domain/pumping-config.ts). */
    pumping: pumpingSchema.optional(),
    /** SMS sends paced to each originator's MPS across all workers (src/domain/pacing.ts, docs/pacing.md). */
    /** Pacing (docs/pacing.md): SMS sends through the per-originator task queues at each originator's MPS. */
    pacing: z.object({ enabled: z.boolean().default(true) }).strict().optional(),
    /** Protect configurations by name, with their country rules and ids (src/domain/protect-config.ts). */
    protectConfigurations: protectConfigurationsSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    checkOptOuts(config, ctx);
    checkWebhookKeys(config.policies, ctx);
    for (const { path, message } of protectConfigIssues(config)) ctx.addIssue({ code: 'custom', path, message });
    for (const message of pumpingProblems(config.pumping, Object.keys(config.policies))) {
      ctx.addIssue({ code: 'custom', path: ['pumping'], message });
    }
    const routeIds = new Set<string>();
    config.routes.forEach((route, i) => {
      if (routeIds.has(route.id)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'id'], message: `duplicate route id "${route.id}"` });
      }
      routeIds.add(route.id);
      const account = ownValue(config.accounts, route.account);
      if (!account) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'account'], message: `unknown account "${route.account}"` });
      } else if (account.credentials.type === 'static' && !route.endpoint) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'endpoint'],
          message: `account "${route.account}" has static credentials, which are only for emulators: set an endpoint`,
        });
      }
    });
    for (const [country, list] of Object.entries(config.originators)) {
      list.forEach((o, i) => {
        if (!routeIds.has(o.route)) {
          ctx.addIssue({
            code: 'custom',
            path: ['originators', country, i, 'route'],
            message: `unknown route "${o.route}"`,
          });
        }
      });
    }
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch && 'account' in ch && !ownValue(config.accounts, ch.account)) {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', name, 'account'],
          message: `unknown account "${ch.account}"`,
        });
      }
    }
    for (const [country, list] of Object.entries(config.channels.voice?.originators ?? {})) {
      list.forEach((o, i) => {
        if (!routeIds.has(o.route)) {
          ctx.addIssue({
            code: 'custom',
            path: ['channels', 'voice', 'originators', country, i, 'route'],
            message: `unknown route "${o.route}"`,
          });
        }
      });
    }
    for (const [useCase, policy] of Object.entries(config.policies)) {
      policy.channels.forEach((channel, i) => {
        if (channel !== 'sms' && !config.channels[channel]) {
          ctx.addIssue({
            code: 'custom',
            path: ['policies', useCase, 'channels', i],
            message: `channel "${channel}" is not configured under channels.${channel}`,
          });
        }
      });
    }
    config.dlrQueues.forEach((q, i) => {
      if (!ownValue(config.accounts, q.account)) {
        ctx.addIssue({ code: 'custom', path: ['dlrQueues', i, 'account'], message: `unknown account "${q.account}"` });
      }
    });
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
