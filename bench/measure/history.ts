/**
 * 6. History size: events and payload bytes of a message delivered by its first send, and of one that climbs the
 * whole ladder (every SMS originator fails with TEXT_BLOCKED, both voice routes with VOICE_FAILED, WhatsApp with
 * AccessDenied, then email is delivered by its SES Delivery event).
 */
import { historyOf, historySize, type HistorySize } from '../lib/history';
import { deliver, request, usNumber } from '../lib/drive';
import type { BenchStack } from '../lib/stack';
import { workflowIdFor } from '../../src/workflows/definitions';

export interface HistoryResult {
  happy: HistorySize & { useCase: string; status: string; attempts: number };
  ladder?: HistorySize & { useCase: string; status: string; attempts: number; channels: string[] };
  ladderNote?: string;
}

export async function measureHistory(
  stack: BenchStack,
  opts: { useCase: string; ladderUseCase: string; timeoutMs: number },
  log: (line: string) => void,
): Promise<HistoryResult> {
  const happyReq = request('history', 0, opts.useCase);
  const happy = await deliver(stack, happyReq);
  const happySize = historySize(await historyOf(stack, workflowIdFor(happyReq.idempotencyKey)));
  log(`  happy path: ${happySize.events} events, ${happySize.payloadBytes} payload bytes`);
  const result: HistoryResult = {
    happy: { useCase: opts.useCase, status: happy.status, attempts: happy.attempts.length, ...happySize },
  };

  // A destination of its own, so the faults touch nothing else.
  const destination = usNumber(4242, '312');
  const faults = [
    {
      match: { destinationPrefix: destination, operation: 'SendTextMessage' },
      effect: { dlr: 'TEXT_BLOCKED', delayMs: 50 },
    },
    {
      match: { destinationPrefix: destination, operation: 'SendVoiceMessage' },
      effect: { dlr: 'VOICE_FAILED', delayMs: 50 },
    },
    {
      match: { destinationPrefix: destination, operation: 'SendWhatsAppMessage' },
      effect: { api: 'account-disabled' },
    },
  ];
  const ids: string[] = [];
  try {
    for (const f of faults) ids.push((await stack.sim<{ id: string }>('POST', '/_sim/faults', f)).id);
    const req = request('history', 1, opts.ladderUseCase, {
      destination,
      contacts: { email: 'bench@example.com', whatsapp: destination },
    });
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), opts.timeoutMs).unref());
    const status = await Promise.race([deliver(stack, req), timeout]);
    const size = historySize(await historyOf(stack, workflowIdFor(req.idempotencyKey)));
    if (!status) result.ladderNote = `did not finish within ${opts.timeoutMs / 1000}s (quiet hours?); measured so far`;
    result.ladder = {
      useCase: opts.ladderUseCase,
      status: status?.status ?? 'IN_PROGRESS',
      attempts: status?.attempts.length ?? 0,
      channels: [...new Set(status?.attempts.map((a) => a.channel) ?? [])],
      ...size,
    };
    log(
      `  whole ladder: ${size.events} events, ${size.payloadBytes} payload bytes, ${result.ladder.attempts} attempts`,
    );
  } finally {
    for (const id of ids) await stack.sim('DELETE', `/_sim/faults/${id}`).catch(() => undefined);
  }
  return result;
}
