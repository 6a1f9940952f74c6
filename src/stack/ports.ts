/** The local stack's ports: the fixed defaults (`npm start`), or free ones (`--ports auto`: tests, chaos, bench). */
import { tcpProbe } from '../tools/service-process';
import { freePort } from '../tools/temporal-cli';

export const DEFAULT_PORTS = {
  temporal: 7233,
  ui: 8233,
  sqs: 4566,
  simulator: 4599,
  api: 8090,
  codec: 8091,
  workerMetrics: 9464,
  ingesterMetrics: 9465,
} as const;

export type PortMode = 'fixed' | 'auto';

export interface StackPorts {
  temporal: number;
  ui?: number;
  sqs: number;
  simulator: number;
  api: number;
  codec: number;
  workerMetrics: number;
  ingesterMetrics: number;
}

/** A port of the stack's is taken by another program, or another stack runs in the same data folder. */
export class StackAlreadyRunningError extends Error {}

async function portFor(mode: PortMode, fixed: number, name: string): Promise<number> {
  if (mode === 'auto') return freePort();
  if (await tcpProbe('127.0.0.1', fixed)) {
    throw new StackAlreadyRunningError(
      `port ${fixed} (${name}) is already in use by another program: stop it, or start with --ports auto`,
    );
  }
  return fixed;
}

export async function choosePorts(mode: PortMode, ui: boolean): Promise<StackPorts> {
  return {
    temporal: await portFor(mode, DEFAULT_PORTS.temporal, 'Temporal'),
    ui: ui ? await portFor(mode, DEFAULT_PORTS.ui, 'Temporal Web UI') : undefined,
    sqs: await portFor(mode, DEFAULT_PORTS.sqs, 'SQS/SNS emulator'),
    simulator: await portFor(mode, DEFAULT_PORTS.simulator, 'simulator'),
    api: await portFor(mode, DEFAULT_PORTS.api, 'HTTP API'),
    codec: await portFor(mode, DEFAULT_PORTS.codec, 'codec server'),
    workerMetrics: await portFor(mode, DEFAULT_PORTS.workerMetrics, 'worker metrics'),
    ingesterMetrics: await portFor(mode, DEFAULT_PORTS.ingesterMetrics, 'ingester metrics'),
  };
}
