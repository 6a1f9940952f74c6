/**
 * The config's `optOuts` section in the templates (src/domain/opt-out-config.ts, docs/opt-out.md):
 *
 * - `optOutLists`: an AWS::SMSVOICE::OptOutList per list the config names for this account × Region, except `Default`:
 *   AWS creates `Default` in every account × Region itself
 *   (https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-opt-out-list.html), so a template creating
 *   it would fail (`OptOutListName` is the new list's name:
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-smsvoice-optoutlist.html).
 *   The scope's pools link to the first list it creates (else to `Default`, AWS's own choice). A list named by ARN
 *   is created in its owner's template (the config's account with that accountId) and, when another account's entry
 *   names it, shared with that account through RAM (src/infra/sharing.ts).
 * - `inboundQueues`: per `optOuts.inbound` entry, the two-way SMS topic (its policy lets sms-voice.amazonaws.com
 *   publish: https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-iam-policy-auto.html), the queue with
 *   its dead-letter queue, the subscription and the queue policy, and outputs for the config's queue URL and topic ARN.
 *   The phone numbers' and pools' `TwoWayChannelArn` is set outside the templates (docs/infra.md, Two-way SMS).
 */
import type { Config } from '../domain/config';
import { DEFAULT_OPT_OUT_LIST, optOutTargets, type OptOutTarget } from '../domain/opt-out-config';
import { getAtt, logicalId, ref, sub, type Json } from './cfn';
import type { ScopeContext } from './context';
import { subscribedQueue, topicWithPolicy } from './queues';
import { accountNamed, parseSmsArn, queueNameOf, topicNameOf } from './scopes';

/** A list of the config with the account × Region that owns it and the name it has there. */
export interface OwnedList extends OptOutTarget {
  /** The account (config name) and Region that own the list: the target's own, or its ARN's. */
  owner?: { account: string; region: string };
  /** The list's name in its owner's account (the ARN's last segment, or the name itself). */
  name: string;
  /** Where the config names it, for outputs and errors. */
  path: string;
}

/** Every list the config keeps in sync, with its owner (undefined: an ARN of an account the config does not have). */
export function ownedLists(config: Config): OwnedList[] {
  const pathOf = (t: OptOutTarget): string => {
    const i = config.optOuts?.lists?.findIndex((e) => e.account === t.account && e.region === t.region) ?? -1;
    if (i < 0) return `routes (${t.account}/${t.region}: Default)`;
    return `optOuts.lists[${i}].names[${config.optOuts!.lists![i].names.indexOf(t.list)}]`;
  };
  return optOutTargets(config).map((t) => {
    const arn = parseSmsArn(t.list);
    if (!arn) return { ...t, owner: { account: t.account, region: t.region }, name: t.list, path: pathOf(t) };
    if (arn.type !== 'opt-out-list') {
      throw new Error(`${pathOf(t)}: "${t.list}" is an ARN of a ${arn.type}, not of an opt-out-list`);
    }
    const account = accountNamed(config, arn.accountId);
    return { ...t, owner: account ? { account, region: arn.region } : undefined, name: arn.id, path: pathOf(t) };
  });
}

/** The ARN of a list in the worker's policy: the ARN the config gives, else the list's ARN in that account × Region. */
export function optOutListArn(target: OptOutTarget): Json {
  if (parseSmsArn(target.list)) return target.list;
  return sub(`arn:\${AWS::Partition}:sms-voice:${target.region}:\${AWS::AccountId}:opt-out-list/${target.list}`);
}

interface ListHere {
  /** Where the config names the list in its owner's entry (or first names it). */
  path: string;
  /** Other accounts whose entries name the list by ARN, with where. */
  users: Map<string, string>;
}

/** The lists this scope creates (by name, in the config's order), and who else names them. */
function listsOf(ctx: ScopeContext): Map<string, ListHere> {
  const out = new Map<string, ListHere>();
  for (const l of ownedLists(ctx.config)) {
    if (!l.owner) {
      if (l.account === ctx.scope.account && l.region === ctx.scope.region) {
        ctx.warnings.push(
          `${l.path}: "${l.list}" belongs to an account no account of the config has as accountId; no template creates or shares it`,
        );
      }
      continue;
    }
    if (l.owner.account !== ctx.scope.account || l.owner.region !== ctx.scope.region) continue;
    if (l.name === DEFAULT_OPT_OUT_LIST) continue;
    const entry = out.get(l.name) ?? { path: l.path, users: new Map<string, string>() };
    if (l.account !== ctx.scope.account && !entry.users.has(l.account)) entry.users.set(l.account, l.path);
    out.set(l.name, entry);
  }
  return out;
}

/** AWS::SMSVOICE::OptOutList per list this account × Region owns (not `Default`), with its output. */
export function optOutLists(ctx: ScopeContext): void {
  for (const [name, { path, users }] of listsOf(ctx)) {
    const id = ctx.builder.resource(logicalId('OptOutList', name), {
      Type: 'AWS::SMSVOICE::OptOutList',
      Properties: { OptOutListName: name },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    ctx.builder.output(`${id}Arn`, { Description: path, Value: getAtt(id, 'Arn') });
    if (!ctx.optOutList) ctx.optOutList = { name: ref(id), arn: getAtt(id, 'Arn') };
    for (const [account, usedAt] of users)
      ctx.sharedOptOutLists.push({ arn: getAtt(id, 'Arn'), account, path: usedAt });
  }
}

type InboundQueue = NonNullable<Config['optOuts']>['inbound'][number];

/** The two-way SMS topic's policy: End User Messaging publishes inbound messages of this account's numbers. */
function inboundTopicStatements(topic: string): Json[] {
  return [
    {
      Sid: 'TwoWaySmsPublishes',
      Effect: 'Allow',
      Principal: { Service: 'sms-voice.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: ref(topic),
      // The SourceAccount / SourceArn conditions the two-way SMS topic policy page recommends (confused deputy).
      Condition: {
        StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
        ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:sms-voice:${AWS::Region}:${AWS::AccountId}:*') },
      },
    },
  ];
}

function inboundQueue(ctx: ScopeContext, queue: InboundQueue, index: number): void {
  const path = `optOuts.inbound[${index}]`;
  const name = queueNameOf(queue.queueUrl, `${path}.queueUrl`);
  if (queue.topicArn) {
    const [, , , region, accountId] = queue.topicArn.split(':');
    if (region !== ctx.scope.region) {
      throw new Error(`${path}.topicArn: the topic is in ${region}, but the entry's region is ${ctx.scope.region}`);
    }
    if (ctx.scope.accountId && accountId !== ctx.scope.accountId) {
      ctx.warnings.push(
        `${path}.topicArn: names account ${accountId}, not ${ctx.scope.account}'s ${ctx.scope.accountId}; the template ` +
          `creates ${topicNameOf(queue.topicArn)} in the account it is deployed to (use its output)`,
      );
    }
  }
  const topicName = queue.topicArn
    ? topicNameOf(queue.topicArn)
    : `rsms-inbound-${ctx.scope.account}-${ctx.scope.region}`;
  const topic = topicWithPolicy(ctx, topicName, inboundTopicStatements);
  subscribedQueue(ctx, topic, {
    name,
    rawDelivery: queue.rawDelivery,
    path,
    topicDescription: `${path}.topicArn: the TwoWayChannelArn of this account × Region's phone numbers`,
  });
}

/** The two-way SMS path of every `optOuts.inbound` entry of the scope. */
export function inboundQueues(ctx: ScopeContext): void {
  (ctx.config.optOuts?.inbound ?? []).forEach((q, i) => {
    if (q.account === ctx.scope.account && q.region === ctx.scope.region) inboundQueue(ctx, q, i);
  });
}
