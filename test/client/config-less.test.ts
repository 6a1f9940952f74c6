/**
 * The typed client without the routing config: constructor forms, what it starts (the request alone), idempotency
 * against inputs with and without a plan, the record read from an input without a plan, and the connection
 * settings it accepts instead of a config. The Temporal client is the API tests' recorder (test/api/doubles.ts).
 */
import { ResilientSmsClient, DEFAULT_TASK_QUEUE, IdempotencyConflictError } from '../../src/client';
import { connectResilientSms } from '../../src/client/connect';
import { recordFromInput } from '../../src/client/lifecycle';
import { parseClientSettings, isFullConfig } from '../../src/client/settings';
import { InvalidInputError } from '../../src/domain/errors';
import type { StartMessageInput } from '../../src/workflows/definitions';
import { apiTestConfig, recordingTemporal, storedInput } from '../api/doubles';

const REQUEST = { destination: '+14255550156', body: 'Your code is 123456', useCase: 'otp', idempotencyKey: 'k-1' };

describe('ResilientSmsClient without a config', () => {
  it('takes a Temporal client and a task queue, or the config form as before', () => {
    const { client } = recordingTemporal();
    expect(new ResilientSmsClient(client, { taskQueue: 'q' }).taskQueue).toBe('q');
    expect(new ResilientSmsClient(client).taskQueue).toBe(DEFAULT_TASK_QUEUE);
    const config = apiTestConfig();
    expect(new ResilientSmsClient(config, client).taskQueue).toBe(config.temporal.taskQueue);
    expect(new ResilientSmsClient(config, client, { taskQueue: 'other' }).taskQueue).toBe('other');
  });

  it('starts deliverMessage with the request alone, the number normalised, no plan and no search attributes', async () => {
    const { client, calls } = recordingTemporal();
    const sent = await new ResilientSmsClient(client).sendMessage({ ...REQUEST, destination: ' +14255550156 ' });
    expect(sent).toMatchObject({ idempotencyKey: 'k-1', workflowId: 'sms:k-1', started: true });
    const [start] = calls.filter((c) => c.op === 'start');
    expect(start.args).toEqual([{ idempotencyKey: 'k-1', request: REQUEST }]);
  });

  it('with a config, still refuses what the config cannot route before anything reaches Temporal', async () => {
    const { client, calls } = recordingTemporal();
    const sms = new ResilientSmsClient(apiTestConfig(), client);
    await expect(sms.sendMessage({ ...REQUEST, useCase: 'nope' })).rejects.toThrow(/useCase: unknown use case/);
    await expect(sms.sendMessage({ ...REQUEST, destination: '+447700900123', useCase: 'alert' })).rejects.toThrow(
      InvalidInputError,
    );
    expect(calls).toEqual([]);
    // The default use case is filled in from the config, as the HTTP API and the CLI always did.
    const { useCase: _u, ...withoutUseCase } = REQUEST;
    await sms.sendMessage(withoutUseCase);
    expect((calls[0].args?.[0] as StartMessageInput).request.useCase).toBe('otp');
  });

  it('without a config, checks the request shape only (the worker checks the rest)', async () => {
    const { client, calls } = recordingTemporal();
    const sms = new ResilientSmsClient(client);
    await expect(sms.sendMessage({ ...REQUEST, destination: '555-0100' })).rejects.toThrow(/destination/);
    await expect(sms.sendMessage({ ...REQUEST, body: '' })).rejects.toThrow(/body/);
    expect(calls).toEqual([]);
    await sms.sendMessage({ ...REQUEST, useCase: 'unknown-here' });
    expect(calls.filter((c) => c.op === 'start')).toHaveLength(1);
  });

  it('answers a reused key by comparing with a stored request that has no plan', async () => {
    const stored: StartMessageInput = { idempotencyKey: 'k-1', request: REQUEST };
    const { client } = recordingTemporal({ existing: new Map([['sms:k-1', stored]]) });
    const sms = new ResilientSmsClient(client);
    expect((await sms.sendMessage(REQUEST)).started).toBe(false);
    const conflict = sms.sendMessage({ ...REQUEST, body: 'Your code is 999999' });
    await expect(conflict).rejects.toThrow(IdempotencyConflictError);
    await expect(sms.sendMessage({ ...REQUEST, body: 'Your code is 999999' })).rejects.toThrow(/body/);
  });

  it('answers a reused key against an input with a plan (an older client) without a config too', async () => {
    const { client } = recordingTemporal({ existing: new Map([['sms:k-1', storedInput(REQUEST)]]) });
    const sms = new ResilientSmsClient(client);
    // The stored request was resolved (message type, content derived): the same request is still the same.
    expect((await sms.sendMessage(REQUEST)).started).toBe(false);
    await expect(sms.sendMessage({ ...REQUEST, destination: '+14255550157' })).rejects.toThrow(/destination/);
  });
});

describe('recordFromInput', () => {
  it("reads an input without a plan: the use case the request named, the number's country, the number masked", () => {
    const record = recordFromInput({ idempotencyKey: 'k-1', request: REQUEST }, 'sms:k-1', new Date(5), 'why');
    expect(record).toMatchObject({ useCase: 'otp', country: 'US', destination: '+1425*****56', skipped: [] });
    const odd = { ...REQUEST, destination: 'not a number' };
    expect(recordFromInput({ idempotencyKey: 'k-1', request: odd }, 'sms:k-1', new Date(5), 'why').country).toBe('');
  });
});

describe('client settings', () => {
  it('are the config`s temporal and security sections, defaults filled in', () => {
    const settings = parseClientSettings({ temporal: { address: 'temporal.example.com:7233' } });
    expect(settings.temporal).toMatchObject({ address: 'temporal.example.com:7233', taskQueue: 'resilient-sms' });
    expect(settings.security).toEqual({});
    expect(isFullConfig(settings as never)).toBe(false);
    expect(isFullConfig(apiTestConfig())).toBe(true);
  });

  it('name the field at fault, and refuse routing sections (they belong to the worker)', () => {
    expect(() => parseClientSettings({ temporal: { address: '' } })).toThrow(/temporal\.address/);
    expect(() => parseClientSettings({ temporal: {}, routes: [] })).toThrow(/routes|Unrecognized key/);
    expect(() =>
      parseClientSettings({ security: { encryption: { currentKeyId: 'a', keys: [{ id: 'b', env: 'K' }] } } }),
    ).toThrow(/security\.encryption\.currentKeyId/);
  });
});

describe('connectResilientSms with connection settings only', () => {
  it('fails before connecting, naming the field or the variable at fault', async () => {
    await expect(connectResilientSms({ temporal: { address: '' } })).rejects.toThrow(
      /invalid client settings: temporal\.address/,
    );
    const encryption = { currentKeyId: 'k1', keys: [{ id: 'k1', env: 'RSMS_TEST_MISSING_KEY' }] };
    await expect(
      connectResilientSms({ temporal: { address: '127.0.0.1:1' }, security: { encryption } }, { env: {} }),
    ).rejects.toThrow(/RSMS_TEST_MISSING_KEY is not set/);
  });
});
