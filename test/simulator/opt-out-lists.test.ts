/**
 * The simulator's opt-out lists through the real SDK client (in-process simulator, no emulator): the five list
 * operations with their shapes and errors, the `Default` list of every account x Region, originator links, sends
 * refused as AWS refuses them, a RAM-shared pool checked against its owner's list, and `POST /_sim/inbound`
 * keywords changing the linked list (publishing to SNS is covered with moto in test/ingester/inbound-sms.test.ts).
 */
import {
  ConflictException,
  CreateOptOutListCommand,
  DeleteOptedOutNumberCommand,
  DescribeOptedOutNumbersCommand,
  DescribeOptOutListsCommand,
  PutOptedOutNumberCommand,
  ResourceNotFoundException,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { configSchema } from '../../src/domain/config';
import { keywordOf } from '../../src/simulator/inbound';
import { startSimulator, type Simulator } from '../../src/simulator/server';
import { admin, destroyClients, inProcessConfigInput, rejection, smsClient } from './harness';

const config = configSchema.parse(inProcessConfigInput());

const NUMBER = '+14255550111';
let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ config, deliveryDelayMs: 10 });
});
afterEach(async () => {
  destroyClients();
  await sim.stop();
});

const text = (originator: string, to = NUMBER) =>
  new SendTextMessageCommand({ DestinationPhoneNumber: to, OriginationIdentity: originator, MessageBody: 'hi' });

describe('opt-out list operations', () => {
  it('every account x Region has Default; CreateOptOutList adds one, a second time is a conflict', async () => {
    const c = smsClient(sim.url, 'primary', 'us-east-1');
    const before = await c.send(new DescribeOptOutListsCommand({}));
    expect(before.OptOutLists?.map((l) => l.OptOutListName)).toEqual(['Default']);
    expect(before.OptOutLists?.[0].OptOutListArn).toBe('arn:aws:sms-voice:us-east-1:111111111111:opt-out-list/Default');
    const created = await c.send(new CreateOptOutListCommand({ OptOutListName: 'marketing' }));
    expect(created.OptOutListName).toBe('marketing');
    expect(created.CreatedTimestamp).toBeInstanceOf(Date);
    const again = await rejection(c.send(new CreateOptOutListCommand({ OptOutListName: 'marketing' })));
    expect(again).toBeInstanceOf(ConflictException);
    expect(again).toMatchObject({ Reason: 'RESOURCE_ALREADY_EXISTS', ResourceType: 'opt-out-list' });
    // Another Region of the same account has only its own Default.
    const west = await smsClient(sim.url, 'primary', 'us-west-2').send(new DescribeOptOutListsCommand({}));
    expect(west.OptOutLists?.map((l) => l.OptOutListName)).toEqual(['Default']);
    const missing = await rejection(c.send(new DescribeOptOutListsCommand({ OptOutListNames: ['nope'] })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('Put, Describe (OptedOutNumbers filter, end-user filter, paging), Delete', async () => {
    const c = smsClient(sim.url, 'primary', 'us-east-1');
    const put = await c.send(new PutOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: NUMBER }));
    expect(put).toMatchObject({ OptOutListName: 'Default', OptedOutNumber: NUMBER, EndUserOptedOut: false });
    expect(put.OptedOutTimestamp).toBeInstanceOf(Date);
    for (const n of ['+14255550112', '+14255550113']) {
      await c.send(new PutOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: n }));
    }
    const one = await c.send(
      new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default', OptedOutNumbers: [NUMBER] }),
    );
    expect(one.OptedOutNumbers?.map((n) => n.OptedOutNumber)).toEqual([NUMBER]);
    const endUser = await c.send(
      new DescribeOptedOutNumbersCommand({
        OptOutListName: 'Default',
        Filters: [{ Name: 'end-user-opted-out', Values: ['true'] }],
      }),
    );
    expect(endUser.OptedOutNumbers).toEqual([]);
    const first = await c.send(new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default', MaxResults: 2 }));
    expect(first.OptedOutNumbers).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const second = await c.send(
      new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default', MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.OptedOutNumbers?.map((n) => n.OptedOutNumber)).toEqual(['+14255550113']);
    expect(second.NextToken).toBeUndefined();
    const del = await c.send(new DeleteOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: NUMBER }));
    expect(del.OptedOutNumber).toBe(NUMBER);
    const gone = await rejection(
      c.send(new DeleteOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: NUMBER })),
    );
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone).toMatchObject({ ResourceType: 'opted-out-number' });
  });

  it('a missing list is ResourceNotFoundException; a bad number is ValidationException', async () => {
    const c = smsClient(sim.url, 'primary', 'us-east-1');
    const missing = await rejection(
      c.send(new PutOptedOutNumberCommand({ OptOutListName: 'nope', OptedOutNumber: NUMBER })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({ ResourceType: 'opt-out-list', ResourceId: 'nope' });
    const bad = await rejection(
      c.send(new PutOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: '555-0100' })),
    );
    expect(bad).toBeInstanceOf(ValidationException);
    const badDescribe = await rejection(
      c.send(new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default', OptedOutNumbers: ['abc'] })),
    );
    expect(badDescribe).toBeInstanceOf(ValidationException);
  });
});

describe('faults', () => {
  it('a Region outage fails the list operations there; a fault aimed at one originator does not', async () => {
    await admin(sim.url, 'POST', '/_sim/faults', {
      match: { originator: 'pool-1' },
      effect: { api: 'internal-error' },
    });
    const c = smsClient(sim.url, 'primary', 'us-east-1');
    await expect(c.send(new DescribeOptOutListsCommand({}))).resolves.toHaveProperty('OptOutLists');
    await admin(sim.url, 'POST', '/_sim/faults', { match: { region: 'us-east-1' }, effect: { api: 'internal-error' } });
    const err = await rejection(c.send(new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default' })));
    expect(err.name).toBe('InternalServerException');
    await expect(
      smsClient(sim.url, 'primary', 'us-west-2').send(
        new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default' }),
      ),
    ).resolves.toHaveProperty('OptedOutNumbers', []);
  });
});

describe('sends to an opted-out number', () => {
  it('are refused on the list linked to the originator, text and voice alike, and only there', async () => {
    const c = smsClient(sim.url, 'primary', 'us-east-1');
    await c.send(new PutOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: NUMBER }));
    const refused = await rejection(c.send(text('pool-1')));
    expect(refused).toBeInstanceOf(ConflictException);
    expect(refused).toMatchObject({
      Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
      ResourceType: 'opted-out-number',
      ResourceId: NUMBER,
    });
    const voice = await rejection(
      c.send(new SendVoiceMessageCommand({ DestinationPhoneNumber: NUMBER, OriginationIdentity: '+12065550100' })),
    );
    expect(voice).toMatchObject({ name: 'ConflictException', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    // Another Region, and another account, have their own lists: the number is not on them.
    await expect(smsClient(sim.url, 'primary', 'us-west-2').send(text('pool-1'))).resolves.toHaveProperty('MessageId');
    await expect(smsClient(sim.url, 'secondary', 'us-east-1').send(text('pool-2'))).resolves.toHaveProperty(
      'MessageId',
    );
    // An originator linked to another list is not refused.
    await c.send(new CreateOptOutListCommand({ OptOutListName: 'other' }));
    const linked = await admin(sim.url, 'POST', '/_sim/opt-out-links', {
      account: 'primary',
      region: 'us-east-1',
      originator: 'pool-other',
      list: 'other',
    });
    expect(linked.status).toBe(201);
    await expect(c.send(text('pool-other'))).resolves.toHaveProperty('MessageId');
  });

  it("a RAM-shared pool used by ARN from another account is checked against its owner's list", async () => {
    const owner = smsClient(sim.url, 'primary', 'us-east-1');
    await owner.send(new PutOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: NUMBER }));
    const shared = 'arn:aws:sms-voice:us-east-1:111111111111:pool/pool-1';
    const err = await rejection(smsClient(sim.url, 'secondary', 'us-east-1').send(text(shared)));
    expect(err).toMatchObject({ name: 'ConflictException', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    // The secondary account's own numbers use its own list, which does not have the number.
    await expect(smsClient(sim.url, 'secondary', 'us-east-1').send(text('+18885550100'))).resolves.toHaveProperty(
      'MessageId',
    );
  });
});

describe('POST /_sim/inbound', () => {
  it.each([
    ['STOP', 'opt-out'],
    ['stop please', 'opt-out'],
    ['Unsubscribe', 'opt-out'],
    ['OPT-OUT', 'opt-out'],
    ['START', 'opt-in'],
    ['unstop', 'opt-in'],
    ['HELP', 'none'],
    ['stopping by later', 'none'],
  ])('%s -> %s', (body, action) => {
    expect(keywordOf(body).action).toBe(action);
  });

  it('STOP puts the sender on the list linked to the number replied to; START takes it off', async () => {
    const stop = await admin(sim.url, 'POST', '/_sim/inbound', {
      from: NUMBER,
      to: '+12065550100',
      account: 'primary',
      region: 'us-east-1',
      body: 'stop',
    });
    expect(stop.status).toBe(201);
    expect(stop.json).toMatchObject({ keyword: 'STOP', action: 'opt-out', list: 'Default', published: false });
    expect(stop.json.payload).toMatchObject({ originationNumber: NUMBER, destinationNumber: '+12065550100' });
    const c = smsClient(sim.url, 'primary', 'us-east-1');
    const listed = await c.send(new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default' }));
    expect(listed.OptedOutNumbers).toEqual([
      expect.objectContaining({ OptedOutNumber: NUMBER, EndUserOptedOut: true }),
    ]);
    await admin(sim.url, 'POST', '/_sim/inbound', {
      from: NUMBER,
      to: '+12065550100',
      account: 'primary',
      region: 'us-east-1',
      body: 'START',
    });
    const after = await c.send(new DescribeOptedOutNumbersCommand({ OptOutListName: 'Default' }));
    expect(after.OptedOutNumbers).toEqual([]);
  });

  it('rejects a bad body with the field named', async () => {
    const bad = await admin(sim.url, 'POST', '/_sim/inbound', {
      from: '12',
      to: 'x',
      account: 'primary',
      region: 'us-east-1',
      body: 'STOP',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/from/);
    const unknown = await admin(sim.url, 'POST', '/_sim/inbound', {
      from: NUMBER,
      to: 'x',
      account: 'nobody',
      region: 'us-east-1',
      body: 'STOP',
    });
    expect(unknown.status).toBe(400);
    expect((unknown.json as { error: string }).error).toMatch(/unknown account "nobody"/);
  });
});
