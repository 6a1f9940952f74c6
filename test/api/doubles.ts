/**
 * Test doubles for the HTTP API: a Temporal `Client` stand-in that records every call (so tests can
 * prove that nothing reached Temporal), under the real ResilientSmsClient.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import { ResilientSmsClient } from '../../src/client';
import type { MessageRequestInput } from '../../src/domain/message';
import { resolveMessage } from '../../src/domain/resolve';
import type { DeliverMessageInput, StartMessageInput } from '../../src/workflows/definitions';
import { SecretMatcher } from '../../src/codec/secrets';
import { configSchema, type Config } from '../../src/domain/config';
import { fixtureConfigInput } from '../helpers/fixtures';

export const API_KEY = 'api-key-for-tests-0123456789';
export const OTHER_API_KEY = 'another-api-key-9876543210';

export function apiKeys(): SecretMatcher {
  return new SecretMatcher([
    { id: 'app', value: API_KEY },
    { id: 'other', value: OTHER_API_KEY },
  ]);
}

export function apiTestConfig(): Config {
  const input = fixtureConfigInput();
  return configSchema.parse({
    ...input,
    originators: {
      ...input.originators,
      GB: [{ route: 'use1-primary', identity: 'ExampleCo', kind: 'sender-id', type: 'sender-id' }],
    },
    policies: { otp: {}, alert: { allowedCountries: ['US'] } },
  });
}

/** The input a workflow started by the real client for `request` holds (what its first history event carries). */
export function storedInput(request: MessageRequestInput, config: Config = apiTestConfig()): DeliverMessageInput {
  const { request: normalised, plan } = resolveMessage(config, request);
  return { idempotencyKey: normalised.idempotencyKey ?? 'derived', request: normalised, plan };
}

export interface TemporalCall {
  op: string;
  workflowId?: string;
  args?: unknown[];
}

/** A `Client` whose workflow service is a recorder: `start` succeeds, handles answer from `status`. */
export function recordingTemporal(
  behaviour: {
    /** Workflow ids that exist, with the input each was started with. */
    existing?: Map<string, StartMessageInput>;
    describeStatus?: string;
    queryResult?: unknown;
    notFound?: Set<string>;
    /** Workflow ids that exist but have closed: signals answer "not found", describe answers `describeStatus`. */
    closed?: Set<string>;
    /** The status query fails (a closed workflow no worker can replay). */
    queryFails?: boolean;
  } = {},
): { client: Client; calls: TemporalCall[] } {
  const calls: TemporalCall[] = [];
  const notFound = (workflowId: string) => {
    if (behaviour.notFound?.has(workflowId)) {
      throw new WorkflowNotFoundError(`workflow ${workflowId} not found`, workflowId, undefined);
    }
  };
  const client = {
    workflow: {
      start: (type: string, opts: { workflowId: string; args: unknown[] }) => {
        calls.push({ op: 'start', workflowId: opts.workflowId, args: opts.args });
        if (behaviour.existing?.has(opts.workflowId)) {
          return Promise.reject(new WorkflowExecutionAlreadyStartedError('already started', opts.workflowId, type));
        }
        return Promise.resolve({ workflowId: opts.workflowId, firstExecutionRunId: randomBytes(8).toString('hex') });
      },
      getHandle: (workflowId: string) => ({
        workflowId,
        signal: (def: { name: string }, arg: unknown) => {
          calls.push({ op: `signal:${def.name}`, workflowId, args: [arg] });
          notFound(workflowId);
          if (behaviour.closed?.has(workflowId)) {
            throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
          }
          return Promise.resolve();
        },
        describe: () => {
          calls.push({ op: 'describe', workflowId });
          notFound(workflowId);
          return Promise.resolve({
            status: { name: behaviour.describeStatus ?? 'RUNNING' },
            startTime: new Date(1_700_000_000_000),
            closeTime: behaviour.closed?.has(workflowId) ? new Date(1_700_000_060_000) : undefined,
          });
        },
        query: () => {
          calls.push({ op: 'query', workflowId });
          if (behaviour.queryFails) return Promise.reject(new Error('query failed: no worker'));
          return Promise.resolve(behaviour.queryResult ?? { workflowId, status: 'IN_PROGRESS', attempts: [] });
        },
        result: () => {
          calls.push({ op: 'result', workflowId });
          return Promise.resolve(behaviour.queryResult);
        },
      }),
    },
    workflowService: {
      getWorkflowExecutionHistory: (req: { execution: { workflowId: string } }) => {
        const workflowId = req.execution.workflowId;
        calls.push({ op: 'history', workflowId });
        const input = behaviour.existing?.get(workflowId);
        if (!input) return Promise.reject(Object.assign(new Error('not found'), { code: 5 }));
        const payloads = [defaultPayloadConverter.toPayload(input)];
        return Promise.resolve({
          history: { events: [{ workflowExecutionStartedEventAttributes: { input: { payloads } } }] },
        });
      },
    },
    options: {
      namespace: 'default',
      loadedDataConverter: {
        payloadConverter: defaultPayloadConverter,
        failureConverter: defaultFailureConverter,
        payloadCodecs: [],
      },
    },
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
  };
  return { client: client as unknown as Client, calls };
}

export function realClientOverRecorder(
  config: Config = apiTestConfig(),
  behaviour: Parameters<typeof recordingTemporal>[0] = {},
): { sms: ResilientSmsClient; calls: TemporalCall[] } {
  const { client, calls } = recordingTemporal(behaviour);
  return { sms: new ResilientSmsClient(config, client), calls };
}
