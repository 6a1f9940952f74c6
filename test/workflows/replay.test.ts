/**
 * Determinism guard: histories recorded from real runs (test/workflows/histories, refreshed with
 * `RECORD_HISTORIES=1 npx jest test/workflows/deliver-message`) must replay on the current workflow
 * code. A change that alters the commands of a running message fails here: version it with patched().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowsPath } from '../../src/workers/worker';
import { installTestRuntime, SILENT_BUNDLER_LOGGER } from '../helpers/temporal-env';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  installTestRuntime(); // the replaying Worker logs at WARN, as in the integration project
  bundle = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    logger: SILENT_BUNDLER_LOGGER,
  });
}, 120_000);

it('has recorded histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(10);
});

it.each(files)('%s carries no absolute path of the machine that recorded it', (file) => {
  // Recording scrubs them (test/helpers/history-files.ts): stack frames read `(src/activities/sms.ts:41:29)`.
  expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/[(\s]\/[^\s()"]+:\d+:\d+/);
});

it.each(files)('replays %s', async (file) => {
  // Fixtures are the protobuf objects as JSON (enum names, int64 as strings): fromObject reads them back.
  const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history, file);
});
