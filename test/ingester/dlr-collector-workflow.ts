/** A stand-in for deliverMessage in ingester tests: collects every DLR signal until told it is done. */
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import type { DlrSignal } from '../../src/domain/delivery-event';
import { dlrSignal } from '../../src/workflows/definitions';

export const doneSignal = defineSignal('done');
export const dlrsQuery = defineQuery<DlrSignal[]>('dlrs');

export async function dlrCollector(): Promise<DlrSignal[]> {
  const dlrs: DlrSignal[] = [];
  let done = false;
  setHandler(dlrSignal, (dlr) => {
    dlrs.push(dlr);
  });
  setHandler(dlrsQuery, () => dlrs);
  setHandler(doneSignal, () => {
    done = true;
  });
  await condition(() => done);
  return dlrs;
}
