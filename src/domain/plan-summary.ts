/**
 * What the Web UI and Temporal's visibility show of a plan before its first send: the ladder as Markdown and the
 * first search attributes. Used by the client that resolved a plan (older inputs) and by the workflow that resolved
 * it (src/workflows/resolve-plan.ts). Pure, no personal data, safe in workflow code.
 */
import type { SearchAttributePair } from '@temporalio/common';
import type { RoutingPlan } from './plan';
import { progressAttributes, SMS_ATTEMPTS, SMS_COUNTRY, SMS_STATUS, SMS_USE_CASE } from './search-attributes';

/** The ladder as the Web UI's details show it (Markdown, no personal data). */
export function describePlan(plan: RoutingPlan): string {
  const p = plan.policy;
  const lines = plan.rungs.map(
    (r, i) =>
      `${i + 1}. ${r.channel} · ${r.level} · ${r.account}/${r.region} · ${r.originatorType} \`${r.originator}\``,
  );
  return [
    `**${p.useCase}** to ${plan.country}: success on ${p.success}, ${Math.round(p.stepWaitMs / 1000)}s per step, deadline ${Math.round(p.deadlineMs / 1000)}s`,
    '',
    ...lines,
  ].join('\n');
}

/** The search attributes of a message about to make its first attempt (the first rung's, as attempt 1 will have). */
export function startAttributes(plan: RoutingPlan): SearchAttributePair[] {
  const first = plan.rungs[0];
  if (first) {
    return progressAttributes({
      country: plan.country,
      useCase: plan.policy.useCase,
      channel: first.channel,
      route: `${first.account}/${first.region}`,
      level: 'initial',
      attempts: 1,
    });
  }
  return [
    { key: SMS_STATUS, value: 'IN_PROGRESS' },
    { key: SMS_COUNTRY, value: plan.country },
    { key: SMS_USE_CASE, value: plan.policy.useCase },
    { key: SMS_ATTEMPTS, value: 0 },
  ];
}

/** The one-line summary of a plan (`US · otp · 4 rungs`). */
export function summarisePlan(plan: RoutingPlan): string {
  return `${plan.country} · ${plan.policy.useCase} · ${plan.rungs.length} rungs`;
}
