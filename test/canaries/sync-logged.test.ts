/**
 * The worker's canary sync at start (syncCanariesLogged): a route without a canary and a failed sync are warnings,
 * never an exception that would stop the worker; what changed is logged at info.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { syncCanariesLogged, type CanaryLog } from '../../src/canaries/schedules';
import { loadConfig } from '../../src/config/load';
import { routeHealthSchema } from '../../src/domain/route-health-config';

const shipped = loadConfig(path.join(__dirname, '../../config/local.yaml'));
const config = {
  ...shipped,
  routeHealth: routeHealthSchema.parse({ enabled: true, canaries: { routes: ['primary-use1', 'gone'] } }),
};

function recordingLog(): CanaryLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
  };
}

it('warns and goes on when Temporal refuses the sync', async () => {
  const client = {
    schedule: { create: () => Promise.reject(new Error('connection refused')) },
  } as unknown as Client;
  const log = recordingLog();
  await expect(syncCanariesLogged(client, config, 'q', log)).resolves.toBeUndefined();
  expect(log.lines).toEqual(['warn canary schedules not synced: connection refused']);
});

it('logs the routes without a canary and what changed', async () => {
  const created: string[] = [];
  const client = {
    schedule: {
      create: (o: { scheduleId: string }) => {
        created.push(o.scheduleId);
        return Promise.resolve();
      },
      // eslint-disable-next-line @typescript-eslint/require-await
      list: async function* () {
        yield { scheduleId: 'route-canary:old', memo: { rsmsTaskQueue: 'q' } };
        yield { scheduleId: 'route-canary:theirs', memo: { rsmsTaskQueue: 'other' } };
      },
      getHandle: (id: string) => ({ delete: () => Promise.resolve(void created.push(`deleted ${id}`)) }),
    },
  } as unknown as Client;
  const log = recordingLog();
  const r = await syncCanariesLogged(client, config, 'q', log);
  expect(r).toMatchObject({ created: ['route-canary:primary-use1'], deleted: ['route-canary:old'] });
  expect(created).toEqual(['route-canary:primary-use1', 'deleted route-canary:old']);
  expect(log.lines).toEqual([
    'warn route gone gets no canary: no route "gone" in the config',
    'info canary schedules in line with the config',
  ]);
});
