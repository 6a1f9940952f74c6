/**
 * Hostile channel receipts (WhatsApp statuses, SES events) on the DLR queues: whatever arrives, the parser never
 * throws, never quotes a phone number or address in its error, and every body ends as a signal, malformed (to the
 * dead-letter queue) or ignored (acknowledged and counted) — nothing is dropped without a word. Pure: no server.
 */
import fc from 'fast-check';
import { parseDlrMessageBody } from '../../src/domain/dlr-parse';
import { dlrSignalSchema } from '../../src/domain/delivery-event';
import { sesEvent, whatsAppEvent, whatsAppStatusEntry } from '../helpers/channel-event-fixtures';

const PHONE = '447700900456';

function outcome(body: string): 'signal' | 'malformed' | 'ignored' {
  const r = parseDlrMessageBody(body);
  if (r.ok) {
    expect(dlrSignalSchema.safeParse(r.signal).success).toBe(true);
    expect(JSON.stringify(r.signal).length).toBeLessThan(1024);
    return 'signal';
  }
  expect(r.error.length).toBeGreaterThan(0);
  expect(r.error).not.toMatch(/\d{8,}/);
  expect(r.error).not.toContain('@');
  return r.ignored ? 'ignored' : 'malformed';
}

test('any value in any field of a WhatsApp status: a clear outcome, never a throw or a leak', () => {
  const fields = ['id', 'status', 'timestamp', 'recipient_id', 'biz_opaque_callback_data', 'errors'];
  fc.assert(
    fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
      const entry = whatsAppStatusEntry({ recipient: PHONE }) as { changes: Array<{ value: { statuses: object[] } }> };
      entry.changes[0].value.statuses[0] = { ...entry.changes[0].value.statuses[0], [field]: value };
      outcome(JSON.stringify(whatsAppEvent(entry)));
    }),
    { numRuns: 400 },
  );
});

test('any whatsAppWebhookEntry text, and any SES object: a clear outcome', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      outcome(JSON.stringify(whatsAppEvent(text)));
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(
      fc.constantFrom('Delivery', 'Bounce', 'Complaint', 'Reject', 'Rendering Failure', 'Open', 'Click', 'Send', 'x'),
      fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue()),
      (type, object) => {
        outcome(JSON.stringify(sesEvent(type, object)));
      },
    ),
    { numRuns: 300 },
  );
});

test('a huge status id, a huge callback, a megabyte of statuses are refused or ignored, not signalled', () => {
  // Longer than Meta's 512 characters: not a callback of ours. An entry beyond 64 KiB is refused whole.
  expect(outcome(JSON.stringify(whatsAppEvent(whatsAppStatusEntry({ callback: 'x'.repeat(1_000) }))))).toBe('ignored');
  expect(outcome(JSON.stringify(whatsAppEvent(whatsAppStatusEntry({ callback: 'x'.repeat(100_000) }))))).toBe(
    'malformed',
  );
  const many = whatsAppStatusEntry({ extraStatuses: Array.from({ length: 5_000 }, () => ({ status: 'read' })) });
  expect(outcome(JSON.stringify(whatsAppEvent(many)))).toBe('malformed');
  const entry = whatsAppStatusEntry() as { changes: Array<{ value: { statuses: Array<Record<string, unknown>> } }> };
  entry.changes[0].value.statuses[0].id = 'w'.repeat(10_000);
  expect(outcome(JSON.stringify(whatsAppEvent(entry)))).toBe('malformed');
});

test('an SES reject reason or rendering error full of addresses and numbers never reaches the signal', () => {
  const reason = `mail to someone@example.org / +${PHONE} refused`;
  const r = parseDlrMessageBody(JSON.stringify(sesEvent('Reject', { reason })));
  expect(r.ok && JSON.stringify(r.signal)).not.toMatch(/example\.org|447700900456/);
  const f = parseDlrMessageBody(
    JSON.stringify(sesEvent('Rendering Failure', { templateName: 'otp', errorMessage: reason })),
  );
  // The rendering error is ours (template attributes), kept bounded; SES writes no recipient into it.
  expect(f.ok && f.signal.description!.length).toBeLessThanOrEqual(500);
});
