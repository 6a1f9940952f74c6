/**
 * The README's Python snippet is the code examples/python/send_otp.py runs (the file test/e2e/python-client.test.ts
 * runs against the local stack), character for character.
 */
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.join(__dirname, '..', '..');

it('quotes examples/python/send_otp.py verbatim in the README', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const script = fs.readFileSync(path.join(REPO, 'examples', 'python', 'send_otp.py'), 'utf8');
  const blocks = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(1);
  const quoted = blocks.filter((b) => b.includes('"deliverMessage"'));
  expect(quoted).toHaveLength(1);
  expect(script).toContain(quoted[0]);
});
