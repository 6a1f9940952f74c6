/**
 * Recorded workflow histories (test/workflows/histories) are committed: they must not carry the recording
 * machine's absolute paths, which appear in the stack traces of activity failures.
 */
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** An absolute path in a stack frame up to `node_modules/` (the checkout may use another's, through a symlink). */
const ABSOLUTE_TO_NODE_MODULES = /(?<=[(\s])\/(?:[^\s()'"\\:/]+\/)*?node_modules\//g;

/**
 * `text` with the paths of stack frames made relative to the repository root: `(<repo root>/src/x.ts:1:2)`
 * becomes `(src/x.ts:1:2)` and `(<any folder>/node_modules/pkg/y.ts:3:4)` becomes `(node_modules/pkg/y.ts:3:4)`.
 */
export function scrubMachinePaths(text: string, repoRoot = REPO_ROOT): string {
  return text.replace(ABSOLUTE_TO_NODE_MODULES, 'node_modules/').split(`${repoRoot}${path.sep}`).join('');
}

/** The JSON text of a history as committed: what `fetchHistory()` returned, machine paths scrubbed. */
export function historyFileText(history: unknown): string {
  return scrubMachinePaths(JSON.stringify(history));
}
