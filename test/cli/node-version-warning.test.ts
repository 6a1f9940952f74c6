/**
 * Issue 18.7: the AWS SDK's NodeVersionSupportWarning ("will require node >=22") printed by every process of the
 * stack. The CLI (which every process of the local stack runs) sets the SDK's switch for exactly that warning;
 * other warnings still print. Runs the built lib/ in a child process without the switch in its environment. On
 * Node >= 22 the SDK prints no such warning anyway.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { requireBuiltLib } from '../helpers/build-lib';

const root = path.resolve(__dirname, '..', '..');

/** stderr of a process that loads the CLI module, builds an SDK client, and emits another warning. */
function stderrOf(extraEnv: NodeJS.ProcessEnv): string {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED; // jest.config.js sets it for the tests
  Object.assign(env, extraEnv);
  const script = `
    require('./lib/src/cli/main.js');
    const { SQSClient } = require('@aws-sdk/client-sqs');
    new SQSClient({ region: 'us-east-1' });
    process.emitWarning('another warning');
  `;
  return spawnSync(process.execPath, ['-e', script], { cwd: root, env, encoding: 'utf8' }).stderr;
}

beforeAll(() => requireBuiltLib());

it('a process running the CLI prints no NodeVersionSupportWarning, and other warnings still', () => {
  const stderr = stderrOf({});
  expect(stderr).not.toContain('NodeVersionSupportWarning');
  expect(stderr).toContain('another warning');
});

it('an explicit AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false wins', () => {
  const major = Number(process.versions.node.split('.')[0]);
  const stderr = stderrOf({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
  if (major < 22) expect(stderr).toContain('NodeVersionSupportWarning');
  else expect(stderr).not.toContain('NodeVersionSupportWarning');
});
