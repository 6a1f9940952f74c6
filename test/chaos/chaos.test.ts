/**
 * The chaos suite, CI-sized: 60 messages through the real local stack (its own processes, as `npm start` runs them)
 * while the worker, the ingester and the Temporal dev server are each stopped once, 10 % of sends are answered
 * ambiguously, receipts are duplicated, reordered, held late and dropped, and poison lands on the DLR queues.
 * `npm run chaos` is the full-size run (500 messages, two worker kills).
 */
import { runChaos, type ChaosResult } from '../../src/chaos/runner';
import { formatChaosResult } from '../../src/chaos/format';
import { requireBuiltLib } from '../helpers/build-lib';

let result: ChaosResult;

beforeAll(async () => {
  requireBuiltLib();
  const lines: string[] = [];
  try {
    result = await runChaos({
      messages: 60,
      seed: 20260101,
      workerKills: 1,
      ingesterKills: 1,
      temporalRestarts: 1,
      rate: 10,
      // Nothing legitimately takes this long here; a message still running by then is reported stuck.
      deadlineMs: 90_000,
      drainTimeoutMs: 100_000,
      // Small N: raise the rare knobs so that each of them happens at least about once.
      late: 0.05,
      drop: 0.05,
      log: (line) => lines.push(line),
    });
  } finally {
    if (!result) process.stderr.write(`${lines.join('\n')}\n`);
  }
  // The full report (figures, injections, timings) with RSMS_TEST_VERBOSE=1; a failing check shows its numbers.
  if (process.env.RSMS_TEST_VERBOSE) process.stderr.write(`${formatChaosResult(result)}\n`);
}, 240_000);

it('loses nothing, leaves nothing stuck, and never sends after a success', () => {
  const a = result.analysis;
  expect({ lost: a.lost, stuck: a.stuck, sendsAfterSuccess: a.sendsAfterSuccess }).toEqual({
    lost: 0,
    stuck: 0,
    sendsAfterSuccess: 0,
  });
  expect(a.ok).toBe(true);
  expect(a.sends.unrecorded).toBe(0);
  expect(a.sends.repeatedAttempt).toBe(0);
});

it('sends twice only where an answer was lost, and dead-letters exactly the poison', () => {
  const a = result.analysis;
  expect(a.sends.duplicate).toBeLessThanOrEqual(a.injected.ambiguous);
  expect(a.injected.poison).toBeGreaterThan(0);
  expect(a.deadLettered).toBe(a.injected.poison);
});

it('really did the damage it claims', () => {
  expect(result.disruptions.map((d) => [d.kind, d.error])).toEqual([
    ['worker', undefined],
    ['ingester', undefined],
    ['temporal', undefined],
  ]);
  for (const d of result.disruptions) expect(d.newPid).not.toBe(d.pid);
  expect(result.analysis.injected.ambiguous).toBeGreaterThan(0);
  expect(result.chaosStats!.messages).toBeGreaterThanOrEqual(60);
  // Every duplicated receipt the workflows saw was recognised as one.
  expect(result.analysis.workflowEvents.unmatchedEvents).toBe(0);
});
