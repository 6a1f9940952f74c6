/**
 * The Workers of one process stop together: when one fails (a workflow thread out of memory), the others are shut
 * down and the failure is thrown once they have stopped, so the process exits and is restarted instead of polling on
 * with what is left.
 */
import { runAllOrNone, runAllUntil, type RunnableWorker } from '../../src/workers/run-all';

/** A Worker that runs until it is shut down, or fails when told to. */
function fakeWorker() {
  let state = 'INITIALIZED';
  let stop: () => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const worker = {
    getState: () => state,
    shutdown: () => {
      state = 'STOPPING';
      stop();
    },
    run: () => {
      state = 'RUNNING';
      return new Promise<void>((resolve, reject) => {
        stop = () => {
          state = 'STOPPED';
          resolve();
        };
        fail = (err) => {
          state = 'FAILED';
          reject(err);
        };
      });
    },
  };
  return { worker: worker as unknown as RunnableWorker, fail: (err: Error) => fail(err), state: () => state };
}

describe('runAllOrNone', () => {
  it('shuts the other Workers down when one fails, and throws its error once they stopped', async () => {
    const main = fakeWorker();
    const shared = fakeWorker();
    const paced = fakeWorker();
    const running = runAllOrNone([main.worker, shared.worker, paced.worker]);
    main.fail(new Error('Workflow Worker Thread exited prematurely: ERR_WORKER_OUT_OF_MEMORY'));
    await expect(running).rejects.toThrow(/ERR_WORKER_OUT_OF_MEMORY/);
    expect([main.state(), shared.state(), paced.state()]).toEqual(['FAILED', 'STOPPED', 'STOPPED']);
  });

  it('resolves once every Worker has stopped after a shutdown', async () => {
    const a = fakeWorker();
    const b = fakeWorker();
    const running = runAllOrNone([a.worker, b.worker]);
    a.worker.shutdown();
    b.worker.shutdown();
    await expect(running).resolves.toBeUndefined();
  });
});

describe('runAllUntil', () => {
  it('shuts every Worker down when the work is done, and returns its result', async () => {
    const a = fakeWorker();
    const b = fakeWorker();
    await expect(runAllUntil([a.worker, b.worker], () => Promise.resolve(42))).resolves.toBe(42);
    expect([a.state(), b.state()]).toEqual(['STOPPED', 'STOPPED']);
  });

  it('throws the failure of a Worker that failed before the work was done', async () => {
    const a = fakeWorker();
    const b = fakeWorker();
    const work = new Promise<number>(() => undefined); // never settles
    const running = runAllUntil([a.worker, b.worker], () => work);
    a.fail(new Error('boom'));
    await expect(running).rejects.toThrow('boom');
    expect(b.state()).toBe('STOPPED');
  });
});
