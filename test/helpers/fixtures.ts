/**
 * Shared fixtures for the unit tests: a realistic config (parsed through the real schema), the US
 * routing plan derived from it, and helpers that turn service errors and receipts into planner attempts.
 */
import { configSchema, type Config, type ConfigInput } from '../../src/domain/config';
import {
  classifyDlrFailure,
  classifySendError,
  type ClassifiedFailure,
  type SendErrorInfo,
} from '../../src/domain/outcome';
import type { ResolvedPolicy, RoutingPlan } from '../../src/domain/plan';
import { resolvePolicy, smsLadder } from '../../src/domain/resolve';
import type { PlannerAttempt } from '../../src/workflows/planner';

/** 2 accounts in us-east-1, the primary one also in us-west-2; each route: pool short code, then 10DLC / toll-free. */
export function fixtureConfigInput(): ConfigInput {
  return {
    accounts: {
      primary: { accountId: '111111111111' },
      secondary: {
        accountId: '222222222222',
        credentials: { type: 'assume-role', roleArn: 'arn:aws:iam::222222222222:role/sms-sender' },
      },
    },
    routes: [
      { id: 'use1-primary', account: 'primary', region: 'us-east-1', configurationSet: 'cs-primary-use1' },
      { id: 'use1-secondary', account: 'secondary', region: 'us-east-1', configurationSet: 'cs-secondary-use1' },
      { id: 'usw2-primary', account: 'primary', region: 'us-west-2', configurationSet: 'cs-primary-usw2' },
    ],
    originators: {
      US: [
        { route: 'use1-primary', identity: 'pool-sc-use1-primary', type: 'short-code' },
        { route: 'use1-primary', identity: 'pool-10dlc-use1-primary', type: '10dlc' },
        { route: 'use1-secondary', identity: 'pool-sc-use1-secondary', type: 'short-code' },
        { route: 'use1-secondary', identity: 'pool-tf-use1-secondary', type: 'toll-free' },
        { route: 'usw2-primary', identity: 'pool-sc-usw2-primary', type: 'short-code' },
        { route: 'usw2-primary', identity: 'pool-10dlc-usw2-primary', type: '10dlc' },
      ],
    },
    policies: { otp: {} },
  };
}

export function fixtureConfig(): Config {
  return configSchema.parse(fixtureConfigInput());
}

/** Rung indexes of the fixture's US plan, by name. */
export const R = {
  use1PrimarySc: 0,
  use1Primary10dlc: 1,
  use1SecondarySc: 2,
  use1SecondaryTf: 3,
  usw2PrimarySc: 4,
  usw2Primary10dlc: 5,
} as const;

export function usPlan(policyOverrides: Partial<ResolvedPolicy> = {}): RoutingPlan {
  const config = fixtureConfig();
  const policy = resolvePolicy('otp', config.policies.otp);
  return {
    country: 'US',
    timeZones: [],
    rungs: smsLadder(config, config.originators.US),
    skipped: [],
    policy: { ...policy, ...policyOverrides },
  };
}

/** A send the service refused (or whose outcome is unknown): `sent` only when it may have been accepted. */
export function sendError(rungIndex: number, err: SendErrorInfo): PlannerAttempt {
  const failure = classifySendError(err);
  return { rungIndex, sent: failure.ambiguous, outcome: { kind: 'failure', failure } };
}

/** A send that was accepted and then failed with a final receipt of `status`. */
export function dlrFailure(rungIndex: number, status: string): PlannerAttempt {
  return { rungIndex, sent: true, outcome: { kind: 'failure', failure: classifyDlrFailure(status) } };
}

export function failed(rungIndex: number, failure: ClassifiedFailure, sent = true): PlannerAttempt {
  return { rungIndex, sent, outcome: { kind: 'failure', failure } };
}

export function delivered(rungIndex: number): PlannerAttempt {
  return { rungIndex, sent: true, outcome: { kind: 'success' } };
}

// Realistic SDK errors, flattened the way the activities flatten them.
export const errors = {
  throttling: { name: 'ThrottlingException', httpStatus: 400, message: 'Rate exceeded' },
  internal: { name: 'InternalServerException', httpStatus: 500, message: 'Internal server error' },
  http503: { name: 'ServiceUnavailable', httpStatus: 503, message: 'Service Unavailable' },
  timeout: { name: 'TimeoutError', code: 'ETIMEDOUT', message: 'socket timed out after 10000 ms' },
  connRefused: { name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:4566' },
  quota: (reason: string) => ({ name: 'ServiceQuotaExceededException', reason, httpStatus: 402, message: 'quota' }),
  denied: (reason: string) => ({ name: 'AccessDeniedException', reason, httpStatus: 403, message: 'denied' }),
  validation: (reason: string) => ({ name: 'ValidationException', reason, httpStatus: 400, message: 'invalid' }),
  conflict: (reason: string) => ({ name: 'ConflictException', reason, httpStatus: 409, message: 'conflict' }),
  notFound: { name: 'ResourceNotFoundException', reason: undefined, httpStatus: 404, message: 'pool not found' },
} satisfies Record<string, SendErrorInfo | ((reason: string) => SendErrorInfo)>;
