/** Trivial workflow used by test/tools/dev-server.test.ts to prove the dev server + worker bundling work. */
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';

export const smokeNameSignal = defineSignal<[string]>('smokeName');
export const smokeStateQuery = defineQuery<string>('smokeState');

/** Waits (at most 10 s) for a name signal, then greets it; answers a state query meanwhile. */
export async function smokeWorkflow(greeting: string): Promise<string> {
  let name: string | undefined;
  setHandler(smokeNameSignal, (n) => {
    name = n;
  });
  setHandler(smokeStateQuery, () => (name === undefined ? 'waiting' : 'named'));
  const named = await condition(() => name !== undefined, '10s');
  return named ? `${greeting}, ${name}!` : `${greeting}, nobody`;
}
