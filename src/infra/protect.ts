/**
 * The protect configurations of the config (`protectConfigurations`, src/domain/protect-config.ts) in one account ×
 * Region: an AWS::SMSVOICE::ProtectConfiguration per name that a use case sending from this scope names
 * (`policies.<useCase>.protectConfiguration`), with its SMS country rules (`CountryRuleSet.SMS`: `CountryRule`
 * `CountryCode` / `ProtectStatus`, any of ALLOW, BLOCK, MONITOR, FILTER), deletion protection, its name as the `Name`
 * tag (how AWS stores a protect configuration's name), and an output with the id AWS gives it, to be written into
 * `protectConfigurations.<name>.ids["<account>/<region>"]`. Source:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-smsvoice-protectconfiguration.html
 * (and its CountryRuleSet / CountryRule pages; `Fn::GetAtt ProtectConfigurationId`).
 *
 * The templates do not associate them with the configuration sets: every use case's sends name their own protect
 * configuration (`ProtectConfigurationId`), and an association would also apply one use case's rules to the sends of
 * the use cases that name none.
 */
import { ownValue } from '../domain/own';
import { protectScopes, scopeKey } from '../domain/protect-config';
import { getAtt, logicalId } from './cfn';
import type { ScopeContext } from './context';

/** The protect configurations this scope holds, by name, with the use cases that send with them from it. */
export function protectConfigurationsOfScope(ctx: ScopeContext): { name: string; useCases: string[] }[] {
  const key = scopeKey(ctx.scope.account, ctx.scope.region);
  const byName = new Map<string, string[]>();
  for (const [useCase, policy] of Object.entries(ctx.config.policies)) {
    const name = policy.protectConfiguration;
    if (name === undefined || !protectScopes(ctx.config, useCase).includes(key)) continue;
    byName.set(name, [...(byName.get(name) ?? []), useCase]);
  }
  return [...byName].map(([name, useCases]) => ({ name, useCases }));
}

/** AWS::SMSVOICE::ProtectConfiguration per protect configuration of the scope, and the output of its id. */
export function protectConfigurations(ctx: ScopeContext): void {
  const key = scopeKey(ctx.scope.account, ctx.scope.region);
  for (const { name, useCases } of protectConfigurationsOfScope(ctx)) {
    const section = ownValue(ctx.config.protectConfigurations, name)!;
    const id = ctx.builder.resource(logicalId('Protect', name), {
      Type: 'AWS::SMSVOICE::ProtectConfiguration',
      Properties: {
        CountryRuleSet: {
          SMS: Object.entries(section.sms).map(([country, status]) => ({
            CountryCode: country,
            ProtectStatus: status,
          })),
        },
        DeletionProtectionEnabled: true,
        Tags: [{ Key: 'Name', Value: name }],
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const field = `protectConfigurations.${name}.ids["${key}"]`;
    ctx.builder.output(`${id}Id`, {
      Description: `${field}: the id of protect configuration "${name}" (use cases ${useCases.join(', ')}) in ${key}`,
      Value: getAtt(id, 'ProtectConfigurationId'),
    });
    if (!ownValue(section.ids, key)) {
      ctx.warnings.push(
        `${field} is not set: deploy, then write the output ${id}Id there; until then the SMS and voice sends of ${useCases.join(', ')} from ${key} carry no protect configuration`,
      );
    }
  }
}
