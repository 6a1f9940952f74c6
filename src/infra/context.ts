/**
 * What every resource family of `infra synth` gets: the config, its scope (one account × Region), the template being
 * built, and what earlier families made that later ones point at (topics, pools, opt-out lists). Each family is one
 * function `(ctx) => void` in the order of src/infra/synth.ts; a new config section adds one family.
 */
import type { Config } from '../domain/config';
import type { Json, TemplateBuilder } from './cfn';
import type { Scope } from './scopes';

export interface ScopeContext {
  config: Config;
  scope: Scope;
  /** Every scope of the config (the IAM family lists the account's resources in all its Regions). */
  scopes: Scope[];
  builder: TemplateBuilder;
  /** SNS topics (logical ids) of the scope's DLR queues: each configuration set publishes to them. */
  dlrTopics: string[];
  /** Pools the scope owns, by the config's pool id: their ARN (created here or already existing). */
  poolArns: Map<string, Json>;
  /** The opt-out list the scope's pools link to: the first list the template creates (else AWS's `Default`). */
  optOutList?: { name: Json; arn: Json };
  /** Lists the scope creates that another account's `optOuts.lists` entry names by ARN: shared through RAM. */
  sharedOptOutLists: { arn: Json; account: string; path: string }[];
  /** What the config cannot make right in a template: printed by `infra synth`, never fatal. */
  warnings: string[];
}
