/**
 * Bad input, tried on purpose: random bodies (random JSON, near-valid message requests with fields
 * dropped, mistyped or out of range, malformed JSON text) and random Idempotency-Key headers sent to
 * POST /v1/messages. The real typed client runs over a Temporal stand-in that records calls.
 *
 * Properties: the answer is always 202 or 400 (never a 500, never a crash); a 400 is JSON with an
 * `error` naming what is wrong; a workflow is started exactly when the request is valid for the
 * config (oracle: the domain's own resolveMessage), and never for invalid input.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../src/api/server';
import type { DeliverMessageInput } from '../../src/workflows/definitions';
import { InvalidInputError } from '../../src/domain/errors';
import { resolveMessage } from '../../src/domain/resolve';
import { API_KEY, apiKeys, apiTestConfig, realClientOverRecorder, type TemporalCall } from './doubles';

const config = apiTestConfig();
let app: FastifyInstance;
let calls: TemporalCall[];

beforeAll(() => {
  const built = realClientOverRecorder(config);
  calls = built.calls;
  app = buildApiServer({ client: built.sms, apiKeys: apiKeys() });
});
afterAll(async () => {
  await app.close();
});

// US and GB have originators in the config.
const VALID_NUMBERS = ['+14255550156', '+12065550100', '+447700900123', '+447700900456'];
// Valid numbers the config refuses (no originators for FR or CN).
const UNROUTABLE_NUMBERS = ['+33612345678', '+8613800138000'];

const destinationArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...VALID_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNROUTABLE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(' +14255550156 ', '+1 425 555 0156', '+1999', '+', '', '14255550156') },
  { weight: 1, arbitrary: fc.stringMatching(/^\+?[0-9]{0,17}$/) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.jsonValue()) },
);
const bodyArb = fc.oneof(
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 200 }) },
  {
    weight: 2,
    // Around AWS's limits (1530 GSM 7-bit septets, 630 UCS-2 code units), and what it never takes.
    arbitrary: fc.constantFrom(
      '',
      ' \n\t ',
      'code\u0000 1',
      'x'.repeat(1530),
      'x'.repeat(1531),
      '€'.repeat(765),
      '€'.repeat(766),
      '😀'.repeat(315),
      '😀'.repeat(316),
      '😀'.repeat(801),
      'ж'.repeat(630),
      'ж'.repeat(631),
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string()), fc.jsonValue()) },
);
const useCaseArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('otp', 'alert') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('OTP', 'marketing', '', ' otp', 'otp\u0000', 'constructor', 'toString', '__proto__'),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) },
);
const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,40}$/) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(''), fc.constant('x'.repeat(201)), fc.integer()) },
);
const extraArb = fc.dictionary(
  fc.oneof(fc.string(), fc.constantFrom('messageType', 'contacts', 'tags', 'constructor', 'toString')),
  fc.jsonValue(),
  { maxKeys: 2 },
);

/** Present most of the time (`often`) or seldom; absent keys are left out, not set to undefined. */
const maybe = <T>(arb: fc.Arbitrary<T>, often: boolean): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: often ? 1 : 3, arbitrary: fc.constant(undefined) }, { weight: often ? 9 : 1, arbitrary: arb });

/** A message request near the valid ones: each field may be missing, mistyped, or out of range. */
const nearValidArb = fc
  .record({
    destination: maybe(destinationArb, true),
    body: maybe(bodyArb, true),
    useCase: maybe(useCaseArb, true),
    idempotencyKey: maybe(keyArb, false),
    messageType: maybe(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('TRANSACTIONAL', 'PROMOTIONAL') },
        { weight: 1, arbitrary: fc.constantFrom('transactional', 1, null) },
      ),
      false,
    ),
    contacts: maybe(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant({ email: 'someone@example.com' }) },
        { weight: 1, arbitrary: fc.oneof(fc.record({ email: fc.string() }), fc.jsonValue()) },
      ),
      false,
    ),
    tags: maybe(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/), fc.string({ maxLength: 50 })),
        },
        {
          weight: 1,
          arbitrary: fc.dictionary(fc.string({ maxLength: 70 }), fc.string({ maxLength: 300 }), { maxKeys: 22 }),
        },
      ),
      false,
    ),
    extra: maybe(extraArb, false),
  })
  .map(({ extra, ...fields }) => ({
    ...(extra ?? {}),
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  }));

const bodyValueArb = fc.oneof({ weight: 3, arbitrary: nearValidArb }, { weight: 1, arbitrary: fc.jsonValue() });
/** The Idempotency-Key header: usually absent, sometimes the body's own key, sometimes anything. */
const requestArb = bodyValueArb.chain((body) => {
  const bodyKey = (body as { idempotencyKey?: unknown } | null)?.idempotencyKey;
  return fc.tuple(
    fc.constant(body),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constant(typeof bodyKey === 'string' ? bodyKey : undefined) },
      { weight: 2, arbitrary: keyArb.map(String) },
    ),
  );
});

/** What the API must conclude, computed from the domain alone. */
function oracle(body: unknown, headerKey: string | undefined): 'valid' | 'invalid' {
  let input = body;
  if (headerKey !== undefined && typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const k = (body as Record<string, unknown>).idempotencyKey;
    if (k !== undefined && k !== headerKey) return 'invalid';
    input = { ...body, idempotencyKey: headerKey };
  }
  try {
    resolveMessage(config, input as never);
    return 'valid';
  } catch (err) {
    if (err instanceof InvalidInputError) return 'invalid';
    throw err;
  }
}

async function post(payload: string, headerKey?: string) {
  const before = calls.length;
  const res = await app.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'content-type': 'application/json',
      ...(headerKey === undefined ? {} : { 'idempotency-key': headerKey }),
    },
    payload,
  });
  return { res, started: calls.slice(before).filter((c) => c.op === 'start') };
}

describe('POST /v1/messages with random bodies', () => {
  it('answers 202 exactly for valid requests and 400 otherwise, starting a workflow only for the valid ones', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async ([body, headerKey]) => {
        // A header with characters HTTP cannot carry is not a case the API can ever see.
        fc.pre(headerKey === undefined || /^[\x20-\x7e]*$/.test(headerKey));
        const expected = oracle(body, headerKey);
        const { res, started } = await post(JSON.stringify(body), headerKey);
        expect([202, 400]).toContain(res.statusCode);
        if (res.statusCode === 202) {
          valid++;
          expect(expected).toBe('valid');
          expect(started).toHaveLength(1);
          const input = started[0].args?.[0] as DeliverMessageInput;
          expect(res.json()).toMatchObject({ idempotencyKey: input.idempotencyKey, started: true });
          expect(input.request.destination).toMatch(/^\+\d{6,15}$/);
        } else {
          expect(expected).toBe('invalid');
          expect(started).toHaveLength(0);
          const error = res.json<{ error: unknown }>().error;
          expect(typeof error).toBe('string');
          expect(error).toMatch(/^invalid (message request|request): ./);
        }
      }),
      { numRuns: 800 },
    );
    // The generators must reach the valid side too, or the property proves little.
    expect(valid).toBeGreaterThan(30);
  });

  it('answers 400 for text that is not JSON (truncated, garbage), and starts nothing', async () => {
    const validText = JSON.stringify({ destination: '+14255550156', body: 'hi', useCase: 'otp' });
    const textArb = fc.oneof(
      fc.string({ minLength: 1 }),
      fc.nat(validText.length - 1).map((n) => validText.slice(0, n)),
      fc
        .tuple(fc.nat(validText.length), fc.string({ minLength: 1, maxLength: 3 }))
        .map(([i, junk]) => validText.slice(0, i) + junk + validText.slice(i)),
    );
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        let parsed: unknown;
        let isJson = true;
        try {
          parsed = JSON.parse(text);
        } catch {
          isJson = false;
        }
        const { res, started } = await post(text);
        if (isJson && res.statusCode === 202) {
          expect(oracle(parsed, undefined)).toBe('valid');
          return;
        }
        expect(res.statusCode).toBe(400);
        expect(started).toHaveLength(0);
        expect(typeof res.json<{ error: unknown }>().error).toBe('string');
      }),
      { numRuns: 400 },
    );
  });
});
