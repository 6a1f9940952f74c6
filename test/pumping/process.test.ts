/**
 * PumpingProcess (src/pumping/process.ts) against a fake Temporal client: a flush signals the counts made since the
 * last one, with start, to `pumping-guard:<taskQueue>` on the deployment's shared-state task queue (where the small
 * Worker of every worker process runs the guard, src/workers/shared-state-worker.ts), at the shared-state priority,
 * with the config's limits as input.
 */
import { configSchema, type Config } from '../../src/domain/config';
import type { HealthLog } from '../../src/health/log';
import type { RouteHealthClient } from '../../src/health/signal';
import { PumpingProcess, pumpingGuardInput } from '../../src/pumping/process';
import type { PumpingBatch } from '../../src/workflows/pumping-definitions';

function config(): Config {
  return configSchema.parse({
    accounts: { primary: { credentials: { type: 'static', accessKeyId: 'AKIDX', secretAccessKey: 'x' } } },
    routes: [{ id: 'r', account: 'primary', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }],
    originators: { US: [{ route: 'r', identity: 'pool-1', type: 'short-code' }] },
    policies: { otp: {} },
    temporal: { taskQueue: 'tq' },
    pumping: { enabled: true, velocity: { otp: [{ scope: 'prefix', limit: 100, window: '60s' }] } },
  });
}

it('flushes its counts with start to pumping-guard:<taskQueue> on the shared-state task queue', async () => {
  const signals: { type: string; options: Record<string, unknown> }[] = [];
  const client = {
    workflow: {
      signalWithStart: (type: string, options: Record<string, unknown>) => {
        signals.push({ type, options });
        return Promise.resolve({});
      },
    },
  } as unknown as RouteHealthClient;
  const log: HealthLog = () => undefined;
  const cfg = config();
  const guard = new PumpingProcess({ config: cfg, client, log, source: 'w1' });
  await guard.checkPumping({
    subject: { useCase: 'otp', country: 'US', prefix: '+1425', numberTag: '00000000000000aa' },
    admit: true,
  });
  await guard.flush();
  expect(signals).toHaveLength(1);
  const { type, options } = signals[0];
  expect(type).toBe('pumpingGuard');
  expect(options).toMatchObject({
    workflowId: 'pumping-guard:tq',
    taskQueue: 'tq-shared-state',
    priority: { priorityKey: 1 },
    args: [pumpingGuardInput(cfg)],
  });
  expect((options.signal as { name: string }).name).toBe('pumpingCounts');
  const [batch] = options.signalArgs as [PumpingBatch];
  expect(batch.source).toBe('w1');
  expect(batch.counts.length).toBeGreaterThan(0);
});
