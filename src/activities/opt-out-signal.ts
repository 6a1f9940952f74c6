/**
 * How processes reach a number's opt-out propagation workflow: signal-with-start of `opt-out:<tag>` on the config's
 * task queue (src/workflows/opt-out-definitions.ts), so the first event starts it and later ones find it. Used by
 * the worker's `startOptOutPropagation` activity and by the ingester's inbound SMS handler. The main task queue, not
 * the shared-state one of routeHealth and pumpingGuard (src/domain/shared-state.ts): one workflow per number, closed
 * when idle, that no message queries or waits for, and a wave of STOP replies must not take the few slots of the
 * shared-state Worker.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../domain/config';
import { optOutTargets } from '../domain/opt-out-config';
import {
  OPT_OUT_WORKFLOW_TYPE,
  optOutEventSignal,
  optOutWorkflowId,
  type OptOutEvent,
  type OptOutPropagationInput,
} from '../workflows/opt-out-definitions';

export type OptOutSignalClient = Pick<Client, 'workflow'> & Partial<Pick<Client, 'withDeadline'>>;

/** Default `optOuts.idleClose`: a day. */
const DEFAULT_IDLE_CLOSE_MS = 24 * 3_600_000;

/** The propagation workflow's input for `number` under `config`. */
export function optOutPropagationInput(config: Config, number: string): OptOutPropagationInput {
  return {
    number,
    targets: optOutTargets(config),
    idleCloseMs: config.optOuts?.idleClose ?? DEFAULT_IDLE_CLOSE_MS,
  };
}

export async function signalOptOut(
  client: OptOutSignalClient,
  config: Config,
  number: string,
  event: OptOutEvent,
  timeoutMs = 10_000,
): Promise<void> {
  const { taskQueue } = config.temporal;
  const call = () =>
    client.workflow.signalWithStart<(input: OptOutPropagationInput) => Promise<unknown>, [OptOutEvent]>(
      OPT_OUT_WORKFLOW_TYPE,
      {
        workflowId: optOutWorkflowId(number),
        taskQueue,
        args: [optOutPropagationInput(config, number)],
        signal: optOutEventSignal,
        signalArgs: [event],
      },
    );
  const deadline = Date.now() + timeoutMs;
  await (client.withDeadline ? client.withDeadline(deadline, call) : call());
}
