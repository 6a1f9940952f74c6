/**
 * The Python verification snippet of docs/integration.md ("Status webhooks") runs as printed: python3 verifies a
 * notification signed by the sender's code, and refuses a changed body, an unknown key id and an old timestamp.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signatureHeader } from '../../src/webhooks/signature';

const SECRET = 'python-snippet-secret-0123456789abcdef';

function snippet(): string {
  const doc = readFileSync(join(__dirname, '../../docs/integration.md'), 'utf8');
  const block = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('def verify('));
  if (!block) throw new Error('docs/integration.md has no Python block defining verify()');
  return block;
}

/** Runs the snippet's verify() in python3; returns what it printed (the event's id, or the error's type). */
function pythonVerify(body: string, header: string, secrets: Record<string, string>): string {
  const program = `${snippet()}
import sys
try:
    print(verify(sys.argv[1].encode(), sys.argv[2], json.loads(sys.argv[3]))["id"])
except (ValueError, KeyError) as e:
    print(type(e).__name__)
`;
  return execFileSync('python3', ['-c', program, body, header, JSON.stringify(secrets)], { encoding: 'utf8' }).trim();
}

describe('the Python snippet of docs/integration.md', () => {
  const body = JSON.stringify({ id: 'run-1:final', type: 'message.final', status: { destination: '+1425*****56' } });
  const now = Math.floor(Date.now() / 1000);
  const header = signatureHeader({ id: 'k2', secret: SECRET }, now, body);

  it('verifies a signed notification and returns its body', () => {
    expect(pythonVerify(body, header, { k1: 'other-secret-000000000000000000000000', k2: SECRET })).toBe('run-1:final');
  });

  it('refuses a changed body, an unknown key id and a timestamp outside the tolerance', () => {
    expect(pythonVerify(body.replace('56', '57'), header, { k2: SECRET })).toBe('ValueError');
    expect(pythonVerify(body, header, { k1: SECRET })).toBe('KeyError');
    const old = signatureHeader({ id: 'k2', secret: SECRET }, now - 3600, body);
    expect(pythonVerify(body, old, { k2: SECRET })).toBe('ValueError');
  });
});
