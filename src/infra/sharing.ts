/**
 * AWS::RAM::ResourceShare in the owner's template: every originator the config uses by ARN with `shared: true` (a pool,
 * phone number or sender ID of this account × Region), with the opt-out list its pools link to, shared with each account
 * whose routes send from them; and every list of this account × Region that another account's `optOuts.lists` entry
 * names by ARN, shared with that account. RAM shares are regional, so the share lives in the owner's template of that Region
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-pool-shared.html,
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/opt-out-list-shared.html).
 */
import type { Json } from './cfn';
import type { ScopeContext } from './context';
import { ownerOfShared, placedOriginators } from './scopes';

export const RESOURCE_SHARE_NAME = 'rsms-originators';

interface Share {
  /** ARNs by the config's text (a pool the template creates is shared by its new ARN). */
  resources: Map<string, Json>;
  principals: Set<string>;
}

function sharesOf(ctx: ScopeContext): Share {
  const share: Share = { resources: new Map(), principals: new Set() };
  const routes = new Map(ctx.config.routes.map((r) => [r.id, r]));
  for (const placed of placedOriginators(ctx.config)) {
    if (!placed.originator.shared) continue;
    const { account, arn } = ownerOfShared(ctx.config, placed);
    if (account !== ctx.scope.account || arn.region !== ctx.scope.region) continue;
    const route = routes.get(placed.originator.route);
    if (!route || route.account === account) continue;
    const principal = ctx.config.accounts[route.account]?.accountId;
    if (!principal) {
      throw new Error(
        `${placed.path}: route ${route.id} sends from ${account}'s ${arn.type} through RAM, but account ` +
          `"${route.account}" has no accountId to share it with (accounts.${route.account}.accountId)`,
      );
    }
    if (route.region !== arn.region) {
      throw new Error(
        `${placed.path}: route ${route.id} is in ${route.region} but the ${arn.type} is in ${arn.region}; RAM shares stay in their Region`,
      );
    }
    share.principals.add(principal);
    const poolArn = arn.type === 'pool' ? ctx.poolArns.get(arn.id) : undefined;
    share.resources.set(placed.originator.identity, poolArn ?? placed.originator.identity);
  }
  return share;
}

/** The scope's resource share, when another account sends from its originators. */
export function resourceShare(ctx: ScopeContext): void {
  const share = sharesOf(ctx);
  const resources = [...share.resources.values()];
  // The list the shared pools link to goes with them; lists other accounts name by ARN go to those accounts.
  if (share.principals.size > 0 && ctx.optOutList) resources.push(ctx.optOutList.arn);
  for (const list of ctx.sharedOptOutLists) {
    const principal = ctx.config.accounts[list.account]?.accountId;
    if (!principal) {
      throw new Error(
        `${list.path}: account "${list.account}" names ${ctx.scope.account}'s opt-out list by ARN, but has no ` +
          `accountId to share it with (accounts.${list.account}.accountId)`,
      );
    }
    share.principals.add(principal);
    if (!resources.some((r) => JSON.stringify(r) === JSON.stringify(list.arn))) resources.push(list.arn);
  }
  if (share.principals.size === 0) return;
  ctx.builder.resource('ResourceShare', {
    Type: 'AWS::RAM::ResourceShare',
    Properties: {
      Name: RESOURCE_SHARE_NAME,
      Principals: [...share.principals].sort(),
      ResourceArns: resources,
      AllowExternalPrincipals: true,
    },
  });
  ctx.builder.output('ResourceShareArn', {
    Description: `RAM share of the originators and opt-out lists the config uses by ARN from other accounts (${[...share.resources.keys()].join(', ') || 'opt-out lists'})`,
    Value: { 'Fn::GetAtt': ['ResourceShare', 'Arn'] },
  });
}
