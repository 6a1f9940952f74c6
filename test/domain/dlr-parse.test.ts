/** parseDlrMessageBody: both body shapes, a named error for every failure, and never a throw. */
import fc from 'fast-check';
import { dlrSignalSchema } from '../../src/domain/delivery-event';
import { MAX_DLR_BODY_CHARS, parseDlrMessageBody, type DlrParseResult } from '../../src/domain/dlr-parse';
import { CONTEXT_ATTEMPT, CONTEXT_WORKFLOW_ID } from '../../src/domain/sending';
import { numberTag } from '../../src/domain/number-tag';
import { DEST, ORIGIN, dlrEvent, snsEnvelope } from '../helpers/dlr-fixtures';

function errorOf(result: DlrParseResult): string {
  if (result.ok) throw new Error(`expected a failure, got ok for ${result.workflowId}`);
  return result.error;
}

/** Every result is either a valid signal without phone numbers, or a non-empty error quoting no digits run. */
function expectWellFormed(result: DlrParseResult): void {
  if (result.ok) {
    expect(dlrSignalSchema.safeParse(result.signal).success).toBe(true);
    expect(result.workflowId.length).toBeGreaterThan(0);
    expect(Object.keys(result.signal).sort()).toEqual(
      expect.arrayContaining(['attempt', 'eventTimestamp', 'eventType', 'isFinal', 'messageId', 'status']),
    );
  } else {
    expect(typeof result.error).toBe('string');
    expect(result.error.length).toBeGreaterThan(0);
    expect(result.error).not.toMatch(/\d{8,}/);
  }
}

describe('parseDlrMessageBody: good bodies', () => {
  const event = dlrEvent('sms:order-1', 2);

  it('reads the raw event (RawMessageDelivery=true)', () => {
    const result = parseDlrMessageBody(JSON.stringify(event));
    expect(result).toEqual({
      ok: true,
      workflowId: 'sms:order-1',
      event: expect.objectContaining({ messageId: 'm-2', destinationPhoneNumber: DEST }),
      signal: {
        attempt: 2,
        eventType: 'TEXT_DELIVERED',
        status: 'DELIVERED',
        isFinal: true,
        messageId: 'm-2',
        eventTimestamp: 1686975103470,
        description: 'Message has been accepted by phone',
        price: 0.00581,
        carrierFee: 0,
        destinationTag: numberTag('sms:order-1', DEST),
        originationTag: numberTag('sms:order-1', ORIGIN),
      },
    });
  });

  it('reads the SNS envelope and gives the same signal', () => {
    const raw = parseDlrMessageBody(JSON.stringify(event));
    const enveloped = parseDlrMessageBody(snsEnvelope(JSON.stringify(event)));
    const { envelope, ...rest } = enveloped.ok ? enveloped : { envelope: undefined };
    expect(rest).toEqual(raw);
    // The envelope's fields, for the ingester's signature check.
    expect(envelope).toMatchObject({ Type: 'Notification', SignatureVersion: '1', TopicArn: expect.any(String) });
  });

  it('puts no phone number into the signal', () => {
    const result = parseDlrMessageBody(JSON.stringify(event));
    expect(result.ok).toBe(true);
    const text = JSON.stringify(result.ok && result.signal);
    expect(text).not.toContain(DEST);
    expect(text).not.toContain(ORIGIN);
  });

  it('truncates a long description to 500 characters and omits absent optionals', () => {
    const long = parseDlrMessageBody(JSON.stringify(dlrEvent('w', 1, { messageStatusDescription: 'x'.repeat(2000) })));
    expect(long.ok && long.signal.description).toHaveLength(500);
    const bare = dlrEvent('w', 1);
    delete bare.messageStatusDescription;
    delete bare.totalMessagePrice;
    delete bare.totalCarrierFee;
    delete bare.destinationPhoneNumber;
    delete bare.originationPhoneNumber;
    const result = parseDlrMessageBody(JSON.stringify(bare));
    expect(result.ok && Object.keys(result.signal)).toEqual([
      'attempt',
      'eventType',
      'status',
      'isFinal',
      'messageId',
      'eventTimestamp',
    ]);
  });

  it("carries the receipt's carrier fee apart from its message price", () => {
    const result = parseDlrMessageBody(
      JSON.stringify(dlrEvent('w', 1, { totalMessagePrice: 0.0058, totalCarrierFee: 0.003 })),
    );
    expect(result.ok && result.signal).toMatchObject({ price: 0.0058, carrierFee: 0.003 });
  });

  it('keeps intermediate events (isFinal false) and unknown extra fields do not matter', () => {
    const result = parseDlrMessageBody(
      JSON.stringify(dlrEvent('w', 7, { eventType: 'TEXT_PENDING', messageStatus: 'PENDING', isFinal: false, x: [1] })),
    );
    expect(result.ok && result.signal).toMatchObject({ attempt: 7, eventType: 'TEXT_PENDING', isFinal: false });
  });
});

describe('parseDlrMessageBody: every failure is named', () => {
  const cases: [string, string, RegExp][] = [
    ['empty body', '', /^body is empty$/],
    ['not JSON', 'hello +14255550156', /^body is not JSON/],
    ['truncated JSON', JSON.stringify(dlrEvent('w', 1)).slice(0, 40), /^body is not JSON/],
    ['a JSON array', '[1,2]', /^body is not a JSON object \(got an array\)$/],
    ['a JSON string', '"x"', /^body is not a JSON object \(got a string\)$/],
    ['JSON null', 'null', /^body is not a JSON object \(got null\)$/],
    [
      'an SNS SubscriptionConfirmation',
      JSON.stringify({ Type: 'SubscriptionConfirmation', Message: 'confirm' }),
      /^SNS envelope Type is "SubscriptionConfirmation", expected "Notification"$/,
    ],
    [
      'an envelope without Message',
      JSON.stringify({ Type: 'Notification' }),
      /^SNS envelope Message is not a string \(got a undefined\)$/,
    ],
    ['an envelope whose Message is not JSON', snsEnvelope('poison'), /^SNS envelope Message is not JSON/],
    ['an envelope whose Message is a number', snsEnvelope('42'), /^SNS envelope Message is not a JSON object/],
    [
      'an event without messageStatus',
      JSON.stringify(dlrEvent('w', 1, { messageStatus: undefined })),
      /^event is not a delivery event: event\.messageStatus: Required$/,
    ],
    [
      'an enveloped event without messageStatus',
      snsEnvelope(JSON.stringify(dlrEvent('w', 1, { messageStatus: undefined }))),
      /^event \(in the SNS envelope\) is not a delivery event: event\.messageStatus: Required$/,
    ],
    [
      'wrong types',
      JSON.stringify(dlrEvent('w', 1, { eventTimestamp: 'yesterday', isFinal: 'yes' })),
      /event\.eventTimestamp: .*expected number.*; event\.isFinal: .*expected boolean/,
    ],
    [
      'a lower-case event type',
      JSON.stringify(dlrEvent('w', 1, { eventType: 'text_delivered' })),
      /event\.eventType: must be an upper-case name such as TEXT_DELIVERED/,
    ],
    [
      'an event without context',
      JSON.stringify(dlrEvent('w', 1, { context: undefined })),
      /^context has no rsms-workflow-id: not a message sent by resilient-sms$/,
    ],
    [
      'a context of another sender',
      JSON.stringify(dlrEvent('w', 1, { context: { orderId: '42' } })),
      /^context has no rsms-workflow-id: not a message sent by resilient-sms$/,
    ],
    [
      'a blank workflow id',
      JSON.stringify(dlrEvent(' ', 1)),
      /^context rsms-workflow-id must be 1-800 characters, not blank$/,
    ],
    [
      'no attempt',
      JSON.stringify(dlrEvent('w', 1, { context: { [CONTEXT_WORKFLOW_ID]: 'w' } })),
      /^context has no rsms-attempt/,
    ],
    ['attempt 0', JSON.stringify(dlrEvent('w', 0)), /^context rsms-attempt is not a positive integer$/],
    ['attempt -1', JSON.stringify(dlrEvent('w', -1)), /^context rsms-attempt is not a positive integer$/],
    [
      'attempt 1.5',
      JSON.stringify(dlrEvent('w', '1.5', { messageId: 'm-1' })),
      /^context rsms-attempt is not a positive integer$/,
    ],
    ['attempt "one"', JSON.stringify(dlrEvent('w', 'one')), /^context rsms-attempt is not a positive integer$/],
    [
      'a context value that is not a string',
      JSON.stringify(dlrEvent('w', 1, { context: { [CONTEXT_WORKFLOW_ID]: 'w', [CONTEXT_ATTEMPT]: 1 } })),
      /^event is not a delivery event: event\.context\.rsms-attempt: .*expected string/,
    ],
    [
      'an infinite price (1e400)',
      JSON.stringify(dlrEvent('w', 1)).replace('0.00581', '1e400'),
      /event\.totalMessagePrice/,
    ],
    ['an oversized body', ' '.repeat(MAX_DLR_BODY_CHARS + 1), /^body is too large/],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
    const error = errorOf(parseDlrMessageBody(body));
    expect(error).toMatch(expected);
    expect(error).not.toContain('+1425');
  });

  it('never quotes the body in a JSON error, nor a phone-number-like context key in a path', () => {
    const error = errorOf(parseDlrMessageBody('{"destinationPhoneNumber": +14255550156 oops'));
    expect(error).not.toContain('14255550156');
    expect(error).not.toContain('oops');
    const keyed = errorOf(
      parseDlrMessageBody(
        JSON.stringify(dlrEvent('w', 1, { context: { '+14255550156': 5, [CONTEXT_WORKFLOW_ID]: 'w' } })),
      ),
    );
    expect(keyed).toMatch(/event\.context\[…\]: /);
    expect(keyed).not.toContain('4255550156');
  });

  it('does not throw on input that is not a string at all', () => {
    const inputs: unknown[] = [undefined, null, 42, {}, [], Symbol('s')];
    for (const v of inputs) {
      expect(errorOf(parseDlrMessageBody(v as string))).toMatch(/^body is not a string/);
    }
  });
});

describe('parseDlrMessageBody: every field is bounded (issue 17, item 1)', () => {
  const big = 'A'.repeat(200 * 1024);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a 200 KB messageStatus', { messageStatus: big }, /event\.messageStatus: must be at most 64 characters/],
    ['a 200 KB eventType', { eventType: `TEXT_${big}` }, /event\.eventType: must be at most 64 characters/],
    ['a 65-character messageStatus', { messageStatus: 'A'.repeat(65) }, /event\.messageStatus: must be at most 64/],
    ['a 200 KB messageId', { messageId: big }, /event\.messageId: must be at most 64 characters/],
    ['a messageId with spaces', { messageId: 'm 1' }, /event\.messageId: must be letters, digits/],
    ['a messageStatus with spaces', { messageStatus: 'DELIVERED ' }, /event\.messageStatus: must be an upper-case/],
    [
      'a 3 KB description',
      { messageStatusDescription: 'x'.repeat(3000) },
      /messageStatusDescription: must be at most 2048/,
    ],
    ['a destination that is not E.164', { destinationPhoneNumber: `+1${'5'.repeat(30)}` }, /destinationPhoneNumber/],
    [
      'an oversized origination',
      { originationPhoneNumber: 'p'.repeat(300) },
      /originationPhoneNumber: must be at most 256/,
    ],
    ['a three-letter country', { isoCountryCode: 'USA' }, /isoCountryCode/],
    ['an oversized eventVersion', { eventVersion: '1'.repeat(100) }, /eventVersion/],
    ['an oversized messageType', { messageType: 'T'.repeat(100) }, /messageType/],
    ['a negative price', { totalMessagePrice: -1 }, /totalMessagePrice/],
    ['a huge part count', { totalMessageParts: 1e12 }, /totalMessageParts/],
    ['an unsafe timestamp', { eventTimestamp: 2 ** 60 }, /eventTimestamp/],
  ];

  it.each(cases)('rejects %s, naming the field', (_name, overrides, expected) => {
    expect(errorOf(parseDlrMessageBody(JSON.stringify(dlrEvent('w', 1, overrides))))).toMatch(expected);
  });

  it('rejects a context of more than 5 entries or with an 801-character value', () => {
    const ctx = { [CONTEXT_WORKFLOW_ID]: 'w', [CONTEXT_ATTEMPT]: '1' };
    const six = { ...ctx, a: '1', b: '2', c: '3', d: '4' };
    expect(errorOf(parseDlrMessageBody(JSON.stringify(dlrEvent('w', 1, { context: six }))))).toMatch(
      /context has at most 5 entries/,
    );
    const long = { ...ctx, a: 'v'.repeat(801) };
    expect(errorOf(parseDlrMessageBody(JSON.stringify(dlrEvent('w', 1, { context: long }))))).toMatch(
      /context values are at most 800 characters/,
    );
  });

  it('rejects an oversized SNS envelope field', () => {
    const body = JSON.parse(snsEnvelope(JSON.stringify(dlrEvent('w', 1)))) as Record<string, unknown>;
    body.Signature = 's'.repeat(5000);
    expect(errorOf(parseDlrMessageBody(JSON.stringify(body)))).toMatch(
      /^SNS envelope is malformed: envelope\.Signature/,
    );
  });

  it('keeps every accepted signal small, whatever the body', () => {
    const widest = dlrEvent('w'.repeat(800), 999_999, {
      eventType: 'T'.repeat(64),
      messageStatus: 'S'.repeat(64),
      messageId: 'm'.repeat(64),
      messageStatusDescription: 'd'.repeat(2048),
      originationPhoneNumber: 'o'.repeat(256),
    });
    const result = parseDlrMessageBody(JSON.stringify(widest));
    if (!result.ok) throw new Error(result.error);
    expect(JSON.stringify(result.signal).length).toBeLessThan(1024);
  });
});

describe('parseDlrMessageBody: properties', () => {
  const runs = { numRuns: 300 };

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => expectWellFormed(parseDlrMessageBody(s))),
      runs,
    );
  });

  it('never throws on arbitrary JSON values, raw or enveloped', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, enveloped) => {
        const text = JSON.stringify(value);
        expectWellFormed(parseDlrMessageBody(enveloped ? snsEnvelope(text) : text));
      }),
      runs,
    );
  });

  it('never throws when a valid event has any field replaced by an arbitrary JSON value', () => {
    const keys = Object.keys(dlrEvent('w', 1));
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        expectWellFormed(parseDlrMessageBody(JSON.stringify(dlrEvent('w', 1, { [key]: value }))));
      }),
      runs,
    );
  });

  it('rejects every truncation of a valid body, enveloped or raw, with an error', () => {
    const raw = JSON.stringify(dlrEvent('sms:k', 3));
    const enveloped = snsEnvelope(raw);
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), (useEnvelope, n) => {
        const body = useEnvelope ? enveloped : raw;
        const result = parseDlrMessageBody(body.slice(0, n % body.length));
        expect(result.ok).toBe(false);
        expectWellFormed(result);
      }),
      runs,
    );
  });

  it('accepts every well-formed event and signals exactly its attempt and status', () => {
    const eventArb = fc.record({
      workflowId: fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s.trim().length > 0),
      attempt: fc.integer({ min: 1, max: 999_999 }),
      eventType: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,63}$/),
      messageStatus: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,63}$/),
      isFinal: fc.boolean(),
      eventTimestamp: fc.nat(),
      messageId: fc.stringMatching(/^[A-Za-z0-9_:/-]{1,64}$/),
      price: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(eventArb, fc.boolean(), (e, enveloped) => {
        const event = dlrEvent(e.workflowId, e.attempt, {
          eventType: e.eventType,
          messageStatus: e.messageStatus,
          isFinal: e.isFinal,
          eventTimestamp: e.eventTimestamp,
          messageId: e.messageId,
          totalMessagePrice: e.price,
        });
        const text = JSON.stringify(event);
        const result = parseDlrMessageBody(enveloped ? snsEnvelope(text) : text);
        if (!result.ok) throw new Error(result.error);
        expect(result.workflowId).toBe(e.workflowId);
        expect(result.signal).toMatchObject({
          attempt: e.attempt,
          eventType: e.eventType,
          status: e.messageStatus,
          isFinal: e.isFinal,
          eventTimestamp: e.eventTimestamp,
          messageId: e.messageId,
        });
        expect(result.signal.price).toBe(e.price === undefined ? undefined : JSON.parse(JSON.stringify(e.price)));
      }),
      runs,
    );
  });

  it('rejects oversized input quickly, whatever it contains', () => {
    const valid = JSON.stringify(dlrEvent('w', 1, { messageStatusDescription: 'x'.repeat(MAX_DLR_BODY_CHARS) }));
    const started = Date.now();
    expect(errorOf(parseDlrMessageBody(valid))).toMatch(/^body is too large/);
    expect(errorOf(parseDlrMessageBody('['.repeat(5_000_000)))).toMatch(/^body is too large/);
    expect(Date.now() - started).toBeLessThan(200);
    // Deeply nested JSON within the size limit is parsed or refused, never a stack overflow.
    expectWellFormed(parseDlrMessageBody('['.repeat(100_000) + ']'.repeat(100_000)));
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    expectWellFormed(parseDlrMessageBody(`{"context":${deep}}`));
    const withDeepExtra = JSON.stringify(dlrEvent('w', 1)).replace(/}$/, `,"extra":${deep}}`);
    const result = parseDlrMessageBody(withDeepExtra);
    expectWellFormed(result);
  });
});
